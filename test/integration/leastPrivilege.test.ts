import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runMigrations } from '@ticketing/db';
import {
  connectionOptions,
  onTestServer,
  removeRedisPrefix,
  startApi,
  startWorker,
  TEST_REDIS_URL,
  testDatabaseUrl,
  testTokens,
  uniqueRedisPrefix,
  type NodeProcess,
} from '@ticketing/testkit';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mariadb';

/**
 * The grants docker/mysql-init/01-users.sh gives: the migration step's user may change the schema
 * of its database; the app's user may only read and write rows (SELECT, INSERT, UPDATE, DELETE).
 * Here on throwaway users and a throwaway database: the migration creates the database and its
 * tables as the first, and the built API and worker serve a whole submission as the second, which
 * cannot create or drop a table.
 */
const tag = randomBytes(4).toString('hex');
const database = `ticketing_grants_${tag}`;
const migrateUser = `tk_migrate_${tag}`;
const appUser = `tk_app_${tag}`;
const password = randomBytes(12).toString('hex');
const prefix = uniqueRedisPrefix('grants');
const processes: NodeProcess[] = [];

/** The URL of the test server's database as `user`. */
function urlAs(user: string): string {
  const url = new URL(testDatabaseUrl(database));
  url.username = user;
  url.password = password;
  return url.toString();
}

beforeAll(async () => {
  // The same GRANT statements as docker/mysql-init/01-users.sh, with '%' hosts: tests connect over TCP.
  for (const statement of [
    `CREATE USER '${migrateUser}'@'%' IDENTIFIED BY '${password}'`,
    `CREATE USER '${appUser}'@'%' IDENTIFIED BY '${password}'`,
    `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES ON \`${database}\`.* TO '${migrateUser}'@'%'`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON \`${database}\`.* TO '${appUser}'@'%'`,
  ]) {
    await onTestServer(statement);
  }
}, 30_000);

afterAll(async () => {
  await Promise.all(processes.map((started) => started.stop().catch(() => undefined)));
  await onTestServer(`DROP USER IF EXISTS '${migrateUser}'@'%', '${appUser}'@'%'`);
  await onTestServer(`DROP DATABASE IF EXISTS \`${database}\``);
  await removeRedisPrefix(prefix);
}, 30_000);

describe('least-privilege MySQL users', () => {
  test('the migration user creates the database and applies the migrations', async () => {
    const report = await runMigrations({ databaseUrl: urlAs(migrateUser) });
    expect(report).toMatchObject({ database, createdDatabase: true });
    expect(report.applied.length).toBeGreaterThan(0);
  });

  test('the app user may not change the schema', async () => {
    const conn = await createConnection({ ...connectionOptions(urlAs(appUser)), connectTimeout: 5000 });
    try {
      await expect(conn.query('CREATE TABLE probe (id INT)')).rejects.toMatchObject({ errno: 1142 });
      await expect(conn.query('DROP TABLE member')).rejects.toMatchObject({ errno: 1142 });
      await expect(conn.query('ALTER TABLE member ADD COLUMN probe INT')).rejects.toMatchObject({ errno: 1142 });
    } finally {
      await conn.end();
    }
  });

  test('the API and a worker running as the app user take a request from submission to ISSUED', async () => {
    const env = { DATABASE_URL: urlAs(appUser), REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
    const api = await startApi(env, { readyPath: '/readyz' });
    processes.push(api);
    processes.push(await startWorker(env));
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: await testTokens.authorizationFor('POST', path, body) },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const ticket = await post('/api/v1/tickets', { name: 'grants ticket', totalQuantity: 1 });
    const member = await post('/api/v1/members', { name: 'grants member' });
    expect([ticket.status, member.status]).toEqual([201, 201]);
    const submitted = await post(`/api/v1/tickets/${ticket.body.id}/issue-requests`, { memberId: member.body.id });
    expect(submitted.status).toBe(202);
    const polled = await fetch(`${api.url}/api/v1/issue-requests/${submitted.body.requestId}?waitMs=10000`, {
      headers: { authorization: `Bearer ${await testTokens.member(member.body.id as number)}` },
    });
    expect(await polled.json()).toMatchObject({ status: 'ISSUED', issueNumber: 1 });
  }, 60_000);
});
