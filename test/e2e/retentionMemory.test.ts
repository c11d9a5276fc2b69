import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  createMembers,
  createTestDatabase,
  createTicket,
  HttpClient,
  PrivateRedis,
  runDrop,
  startApi,
  startWorker,
  waitUntil,
  type ApiProcess,
  type NodeProcess,
  type TestDatabase,
} from '@ticketing/testkit';
import { Redis } from 'ioredis';

/**
 * Ten sold-out drops in a row with RESULT_TTL_S=1 on a Redis of their own (the shared one's memory
 * moves with other suites): once each drop's state is removed, Redis holds what it held before the
 * ten, give or take one small flag key per ticket. Without the removal each drop would leave about
 * 1 KiB per request behind (docs/SCALING.md).
 */
const DROPS = 10;
const MEMBERS = 60;
const STOCK = 50;
const client = new HttpClient(20);
let redisServer: PrivateRedis;
let redis: Redis;
let database: TestDatabase;
let api: ApiProcess;
let worker: NodeProcess;
let memberIds: number[] = [];

beforeAll(async () => {
  [redisServer, database] = await Promise.all([PrivateRedis.start('none'), createTestDatabase()]);
  const env = { DATABASE_URL: database.url, REDIS_URL: redisServer.url, RESULT_TTL_S: '1', WORKER_IDLE_MS: '200' };
  [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
  redis = new Redis(redisServer.url);
  memberIds = await createMembers(client, [api.url], 'memory', MEMBERS);
}, 120_000);

afterAll(async () => {
  client.close();
  await Promise.all([api, worker].map((p) => p?.stop('SIGTERM')));
  redis?.disconnect();
  await redisServer?.stop();
  await database?.drop();
}, 120_000);

/** A sold-out drop, then its removal; answers Redis's used memory while the drop's state was there. */
async function soldOutDrop(n: number): Promise<number> {
  const ticketId = await createTicket(client, api.url, `memory-${n}`, STOCK);
  const { report } = await runDrop({
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
  const peak = await usedMemory(); // decided, not yet removed (WORKER_IDLE_MS, then RESULT_TTL_S)
  await waitUntil(async () => (await redis.keys(`ticketing:*{${ticketId}}*`)).length <= 1, `drop ${n} removed`, 20_000, 50);
  return peak;
}

async function usedMemory(): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)![1]);
}

describe('ten drops in a row, RESULT_TTL_S=1', () => {
  test('leave Redis memory where it started', async () => {
    await soldOutDrop(0); // loads the scripts and makes the deployment-wide keys
    const [memoryBefore, keysBefore] = [await usedMemory(), await redis.dbsize()];
    let peak = 0;
    for (let n = 1; n <= DROPS; n++) peak = Math.max(peak, await soldOutDrop(n));
    const [memoryAfter, keysAfter] = [await usedMemory(), await redis.dbsize()];
    process.stdout.write(
      `redis used_memory: before ${memoryBefore} B, peak ${peak} B, after ${memoryAfter} B; keys ${keysBefore} -> ${keysAfter}\n`,
    );
    // One `ended` flag per ticket remains (for an hour); nothing per request or per member.
    expect(keysAfter - keysBefore).toBeLessThanOrEqual(DROPS);
    expect(peak - memoryBefore).toBeGreaterThan(STOCK * 500); // a drop's state is visible at its peak
    // Kept, ten drops would leave about ten times a drop's peak growth (~100 KiB each here); what
    // remains is the ten flags and allocator slack (measured ~30 KiB).
    expect(memoryAfter - memoryBefore).toBeLessThan(64 * 1024);
    expect(memoryAfter - memoryBefore).toBeLessThan(peak - memoryBefore);
  }, 180_000);
});
