import { randomBytes } from 'node:crypto';
import * as mariadb from 'mariadb';
import { runMigrations } from '@ticketing/db';

/** The MariaDB/MySQL server tests create their databases on; no database in the path. */
export const TEST_DATABASE_SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A database name no other suite, process or run uses. */
export function uniqueDatabaseName(): string {
  return `ticketing_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The URL of database `name` on the test server. */
export function testDatabaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs one statement on the test server (no database selected). Throws when it is unreachable. */
export async function onTestServer<T>(sql: string, values?: unknown[]): Promise<T> {
  const url = new URL(TEST_DATABASE_SERVER_URL);
  const conn = await mariadb.createConnection({
    host: url.hostname,
    port: url.port === '' ? 3306 : Number(url.port),
    user: decodeURIComponent(url.username) || undefined,
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    timezone: '+00:00', // DATETIME values are UTC throughout, whatever this process's zone
  });
  try {
    return (await conn.query(sql, values)) as T;
  } finally {
    await conn.end();
  }
}

export async function dropTestDatabase(name: string): Promise<void> {
  await onTestServer(`DROP DATABASE IF EXISTS \`${name}\``);
}

/**
 * A fresh, migrated database for one suite. Fails loudly when the server is unreachable: a test
 * that needs MariaDB must never pass by skipping.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = uniqueDatabaseName();
  const url = testDatabaseUrl(name);
  try {
    await runMigrations({ databaseUrl: url });
  } catch (error) {
    throw new Error(
      `cannot prepare test database ${name} on ${TEST_DATABASE_SERVER_URL} (is MariaDB running? ` +
        `set TEST_DATABASE_SERVER_URL): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return { url, name, drop: () => dropTestDatabase(name) };
}
