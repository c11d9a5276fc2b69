import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createRedis, redisReady, type RedisClient } from '@ticketing/queue';
import {
  createMembers,
  createTestDatabase,
  createTicket,
  HttpClient,
  readQueueOrder,
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

const MEMBERS = 10_000;
const CLIENTS = 200;

let database: TestDatabase;
const prefix = uniqueRedisPrefix();
const apis: ApiProcess[] = [];
const workers: NodeProcess[] = [];
const client = new HttpClient(CLIENTS);
let memberIds: number[] = [];
let redis: RedisClient;

beforeAll(async () => {
  redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'test');
  await redisReady(redis, 2000);
  database = await createTestDatabase();
  const env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
  apis.push(...(await Promise.all([startApi(env, { name: 'api-1' }), startApi(env, { name: 'api-2' })])));
  workers.push(...(await Promise.all([1, 2, 3].map((n) => startWorker(env, { name: `worker-${n}` })))));
  memberIds = await createMembers(
    client,
    apis.map((a) => a.url),
    `drop-member`,
    MEMBERS,
  );
}, 180_000);

afterAll(async () => {
  client.close();
  const codes = (await Promise.all([...apis, ...workers].map((p) => p.stop('SIGTERM')))).map((exit) => exit.code);
  await database?.drop();
  await removeRedisPrefix(prefix);
  redis?.disconnect();
  // Graceful shutdown: every process finished its work and exited 0.
  expect(codes).toEqual([...apis, ...workers].map(() => 0));
}, 60_000);

describe('a drop through 2 API and 3 worker processes', () => {
  test('1,000 tickets, 10,000 members asking twice at once: exact, one each, first come first served', async () => {
    const urls = apis.map((a) => a.url);
    const ticketId = await createTicket(client, urls[0]!, 'drop-1000', 1000);
    const { report, submissions, finals, queueOrder } = await runDrop({
      client,
      apis: urls,
      ticketId,
      totalQuantity: 1000,
      memberIds,
      perMember: 2,
      concurrency: CLIENTS,
      readRows: () => database.issueRows(ticketId),
      readQueueOrder: async () => readQueueOrder(redis, prefix, ticketId, (await database.ticket(ticketId)).generation),
    });

    expect(report.violations).toEqual([]);
    expect(report.issued).toBe(1000);
    // Issue numbers were checked against the queue order of every admitted request, within batches too.
    expect(queueOrder).toHaveLength(1000);
    expect(report.rejected + report.refused).toBe(MEMBERS - 1000);
    const issuedNumbers = [...finals.values()]
      .filter((f) => f.status === 'ISSUED')
      .map((f) => f.issueNumber)
      .sort((a, b) => a! - b!);
    expect(issuedNumbers).toEqual(Array.from({ length: 1000 }, (_, n) => n + 1));
    // Both submissions of a member that got a request share it: one 202, the other 200.
    const byMember = new Map<number, string[]>();
    for (const s of submissions) if (s.requestId) byMember.set(s.memberId, [...(byMember.get(s.memberId) ?? []), s.requestId]);
    for (const ids of byMember.values()) expect(new Set(ids).size).toBe(1);
    expect((await database.issueRows(ticketId)).length).toBe(1000);

    const ticket = await client.get(`${urls[1]}/api/v1/tickets/${ticketId}`);
    expect(ticket.body).toMatchObject({ status: 'SOLD_OUT', issuedQuantity: 1000, remainingQuantity: 0 });
  }, 300_000);

  test('then a ticket of 20,000 for the same members: every one of the 10,000 is issued', async () => {
    const urls = apis.map((a) => a.url);
    const ticketId = await createTicket(client, urls[0]!, 'drop-20000', 20_000);
    const { report, queueOrder } = await runDrop({
      client,
      apis: urls,
      ticketId,
      totalQuantity: 20_000,
      memberIds,
      perMember: 2,
      concurrency: CLIENTS,
      readRows: () => database.issueRows(ticketId),
      readQueueOrder: async () => readQueueOrder(redis, prefix, ticketId, (await database.ticket(ticketId)).generation),
    });
    expect(report.violations).toEqual([]);
    expect(report.issued).toBe(MEMBERS);
    // The event stream keeps about its last 10,000 events: the order of the last few thousand requests.
    expect(queueOrder!.length).toBeGreaterThan(1000);
    expect(report.rejected + report.refused).toBe(0);
    const ticket = await client.get(`${urls[0]}/api/v1/tickets/${ticketId}`);
    expect(ticket.body).toMatchObject({ status: 'OPEN', issuedQuantity: MEMBERS, remainingQuantity: 10_000 });
  }, 300_000);
});
