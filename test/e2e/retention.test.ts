import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
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
  waitUntil,
  type ApiProcess,
  type NodeProcess,
  type TestDatabase,
  testTokens,
} from '@ticketing/testkit';
import { Redis } from 'ioredis';

/**
 * Retention (G10) through real processes with RESULT_TTL_S=2: after a sold-out drop the ticket's
 * Redis state goes, and every request is still answered, from MySQL.
 */
const MEMBERS = 60;
const STOCK = 20;
const prefix = uniqueRedisPrefix();
const client = new HttpClient(20);
const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
let database: TestDatabase;
let api: ApiProcess;
let worker: NodeProcess;

beforeAll(async () => {
  database = await createTestDatabase();
  // The drain keeps an emptied queue for WORKER_IDLE_MS before it retires and schedules the
  // removal: 8 s, so a slow machine's last polls of the drop still find the state the test inspects.
  const env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, RESULT_TTL_S: '2', WORKER_IDLE_MS: '8000' };
  [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
  await redis.connect();
}, 60_000);

afterAll(async () => {
  client.close();
  const exits = await Promise.all([api, worker].map((p) => p?.stop('SIGTERM')));
  redis.disconnect();
  await database?.drop();
  await removeRedisPrefix(prefix);
  expect(exits.map((exit) => exit?.code)).toEqual([0, 0]);
}, 60_000);

const ticketKeys = (ticketId: number) => redis.keys(`${prefix}:*{${ticketId}}*`);

describe('RESULT_TTL_S=2 after a sold-out drop', () => {
  test('the ticket’s keys go but a constant few; issued requests poll ISSUED, others 410, made-up ids 404; asking again 200 or 409', async () => {
    const memberIds = await createMembers(client, [api.url], 'retained', MEMBERS);
    const ticketId = await createTicket(client, api.url, 'retained', STOCK);
    const { report, finals, submissions } = await runDrop({
      client,
      apis: [api.url],
      ticketId,
      totalQuantity: STOCK,
      memberIds,
      perMember: 1,
      concurrency: 20,
      readRows: () => database.issueRows(ticketId),
    });
    expect(report.violations).toEqual([]);
    expect(report.issued).toBe(STOCK);
    expect((await ticketKeys(ticketId)).length).toBeGreaterThan(STOCK); // a job each, and more
    // One request that ends REJECTED (else every decided request of a capped queue is ISSUED): the
    // admission count and the sold-out flag forget one member, so a newcomer is queued and refused.
    const [members] = await redis.keys(`${prefix}:issuance:{${ticketId}}-*:members`);
    const [soldOut] = await redis.keys(`${prefix}:issuance:{${ticketId}}-*:sold-out`);
    await redis.hdel(members!, String([...finals.values()].find((f) => f.status === 'ISSUED')!.memberId));
    await redis.del(soldOut!);
    const newcomer = submissions.find((s) => s.httpStatus === 409)!.memberId;
    const queued = await client.post(`${api.url}/api/v1/tickets/${ticketId}/issue-requests`, { memberId: newcomer });
    expect(queued.status).toBe(202);
    const rejected = await client.get(`${api.url}/api/v1/issue-requests/${queued.body.requestId}?waitMs=10000`);
    expect(rejected.body).toMatchObject({ status: 'REJECTED', reason: 'SOLD_OUT' });
    finals.set(queued.body.requestId, rejected.body);

    // The drain retires after WORKER_IDLE_MS (8 s), then RESULT_TTL_S (2 s), then a scan.
    await waitUntil(async () => (await ticketKeys(ticketId)).length <= 1, 'the ticket state removed', 40_000, 100);
    expect((await ticketKeys(ticketId)).map((key) => key.slice(key.lastIndexOf(':') + 1))).toEqual(['ended']);
    expect(await redis.zcard(`${prefix}:state-removals`)).toBe(0);

    const decided = [...finals.values()];
    const issued = decided.filter((f) => f.status === 'ISSUED');
    const others = decided.filter((f) => f.status !== 'ISSUED');
    expect(issued).toHaveLength(STOCK);
    expect(others).toHaveLength(1);
    for (const before of issued) {
      const res = await client.get(`${api.url}/api/v1/issue-requests/${before.requestId}`);
      expect({ status: res.status, body: res.body }).toMatchObject({
        status: 200,
        body: { status: 'ISSUED', issueNumber: before.issueNumber, memberTicketId: before.memberTicketId },
      });
    }
    for (const before of others) {
      const res = await client.get(`${api.url}/api/v1/issue-requests/${before.requestId}`);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 410, code: 'ISSUE_REQUEST_EXPIRED' });
      // Its own member is told it expired; any other member is told nothing, as for a made-up id.
      const asked = async (token: string) => {
        const answer = await client.send('GET', `${api.url}/api/v1/issue-requests/${before.requestId}`, undefined, {
          authorization: `Bearer ${token}`,
        });
        return [answer.status, answer.body.code];
      };
      expect(await asked(await testTokens.member(before.memberId))).toEqual([410, 'ISSUE_REQUEST_EXPIRED']);
      expect(await asked(await testTokens.member(issued[0]!.memberId))).toEqual([404, 'ISSUE_REQUEST_NOT_FOUND']);
      expect(await asked(await testTokens.staff())).toEqual([410, 'ISSUE_REQUEST_EXPIRED']);
    }
    const madeUp = issued[0]!.requestId.replace(/[0-9a-f]{16}$/, '0123456789abcdef');
    const notFound = await client.get(`${api.url}/api/v1/issue-requests/${madeUp}`);
    expect({ status: notFound.status, code: notFound.body.code }).toEqual({ status: 404, code: 'ISSUE_REQUEST_NOT_FOUND' });

    // Asking again after the removal: the issued member gets its request, any other the 409.
    const issuedMember = issued[0]!.memberId;
    const refusedMember = others[0]!.memberId;
    const again = await client.post(`${api.url}/api/v1/tickets/${ticketId}/issue-requests`, { memberId: issuedMember });
    expect({ status: again.status, body: again.body }).toMatchObject({
      status: 200,
      body: { requestId: issued[0]!.requestId, status: 'ISSUED' },
    });
    const refused = await client.post(`${api.url}/api/v1/tickets/${ticketId}/issue-requests`, { memberId: refusedMember });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 409, code: 'SOLD_OUT' });
    expect((await ticketKeys(ticketId)).length).toBe(1);
  }, 120_000);
});
