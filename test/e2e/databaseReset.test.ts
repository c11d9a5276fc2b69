import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runMigrations } from '@ticketing/db';
import {
  createMembers,
  createTestDatabase,
  createTicket,
  HttpClient,
  removeRedisPrefix,
  runDrop,
  startApi,
  startWorker,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
  type ApiProcess,
  type NodeProcess,
  type TestDatabase,
} from '@ticketing/testkit';

/**
 * Redis state belongs to one ticket row: the database is dropped and migrated again (as a reset or
 * a restore would leave it) while Redis keeps every key of the first round. The second round gets
 * the same member and ticket ids, and must be a fresh drop judged by the database alone.
 */
const MEMBERS = 40;
const STOCK = 10;
const prefix = uniqueRedisPrefix();
const client = new HttpClient(20);
let database: TestDatabase;
let env: Record<string, string>;
let processes: Array<ApiProcess | NodeProcess> = [];

async function startRound(): Promise<string> {
  const [api, worker] = await Promise.all([startApi(env, { name: 'api' }), startWorker(env, { name: 'worker' })]);
  processes = [api, worker];
  return api.url;
}

async function stopRound(): Promise<void> {
  const exits = await Promise.all(processes.map((p) => p.stop('SIGTERM')));
  processes = [];
  expect(exits.map((exit) => exit.code)).toEqual([0, 0]);
}

async function drop(api: string, memberIds: number[], ticketId: number) {
  return runDrop({
    client,
    apis: [api],
    ticketId,
    totalQuantity: STOCK,
    memberIds,
    perMember: 1,
    concurrency: 20,
    readRows: () => database.issueRows(ticketId),
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
}, 60_000);

afterAll(async () => {
  client.close();
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await database?.drop();
  await removeRedisPrefix(prefix);
}, 60_000);

describe('the database reset under a live Redis', () => {
  // Members are created one at a time, so both rounds number them alike.
  test('same ticket and member ids: a fresh drop, G1-G5 from the database; the earlier round’s ids are unknown', async () => {
    let api = await startRound();
    const firstMembers = await createMembers(client, [api], 'reset-member', MEMBERS, 1);
    const firstTicket = await createTicket(client, api, 'reset-ticket', STOCK);
    const first = await drop(api, firstMembers, firstTicket);
    expect(first.report.violations).toEqual([]);
    expect(first.report.issued).toBe(STOCK);
    const firstIssued = [...first.finals.entries()].filter(([, f]) => f.status === 'ISSUED').map(([requestId]) => requestId);
    await stopRound();

    await database.drop();
    await runMigrations({ databaseUrl: database.url });

    api = await startRound();
    const members = await createMembers(client, [api], 'reset-member', MEMBERS, 1);
    const ticketId = await createTicket(client, api, 'reset-ticket', STOCK);
    expect({ members, ticketId }).toEqual({ members: firstMembers, ticketId: firstTicket });

    const second = await drop(api, members, ticketId);
    expect(second.report.violations).toEqual([]);
    expect(second.report.issued).toBe(STOCK);
    // Every member asked once: a new request (202) or SOLD_OUT, never the earlier round's request (200).
    expect(second.submissions.filter((s) => s.httpStatus === 200)).toEqual([]);
    expect(second.submissions.filter((s) => s.requestId !== null && first.finals.has(s.requestId))).toEqual([]);
    const rows = await database.issueRows(ticketId);
    expect(rows.map((row) => row.issueNumber).sort((a, b) => a - b)).toEqual(Array.from({ length: STOCK }, (_, n) => n + 1));
    for (const row of rows) expect(second.finals.get(row.requestId)).toMatchObject({ status: 'ISSUED', issueNumber: row.issueNumber });

    // The first round's ids, still in Redis, belong to a row that is gone: 404, not ISSUED.
    for (const requestId of firstIssued.slice(0, 3)) {
      const res = await client.get(`${api}/api/v1/issue-requests/${requestId}`);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code: 'ISSUE_REQUEST_NOT_FOUND' });
    }
  }, 180_000);
});
