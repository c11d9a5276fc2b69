import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ticketRef, type QueuedRequest } from '@ticketing/core';
import {
  bullQueueFor,
  createRedis,
  queueDepths,
  RedisDrainQueue,
  redisReady,
  RedisSubmissionQueue,
  RedisTicketLock,
  ticketKeys,
  type RedisClient,
} from '@ticketing/queue';
import { LocalRedisCluster, uniqueRedisPrefix } from '@ticketing/testkit';

/** Every ticket of these tests is one row with this generation. */
const GEN = 'ab'.repeat(20);
const t = (ticketId: number) => ticketRef(ticketId, GEN);

/**
 * The same adapters on a Redis Cluster of 3 masters and 3 replicas (started here, removed after):
 * one code path, the client chosen by configuration. Each ticket's keys share one hash slot, so
 * its Lua scripts stay atomic; different tickets spread over the masters.
 */
const prefix = uniqueRedisPrefix();
let cluster: LocalRedisCluster;
let redis: RedisClient;
let queue: RedisSubmissionQueue;
let drain: RedisDrainQueue;
let lock: RedisTicketLock;

beforeAll(async () => {
  cluster = await LocalRedisCluster.start({ dir: await mkdtemp(join(tmpdir(), 'queue-redis-cluster-')) });
  const clusterNodes = cluster.nodes.map(({ port }) => ({ host: '127.0.0.1', port }));
  redis = createRedis({ redisUrl: 'redis://unused', clusterNodes }, 'cluster-test');
  await redisReady(redis, 10_000);
  queue = new RedisSubmissionQueue(redis, { prefix });
  drain = new RedisDrainQueue(redis, { prefix });
  lock = new RedisTicketLock(redis, { prefix, ttlMs: 5000 });
  await queue.startDecisionFeed(); // as the API does at start
}, 60_000);

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await cluster?.destroy();
});

async function submit(ticketId: number, memberId: number): Promise<QueuedRequest> {
  const admission = await queue.admit({ generation: GEN, ticketId, memberId, totalQuantity: 1000, window: 'OPEN', acceptedAt: Date.now() });
  if (admission.kind !== 'ADMITTED') throw new Error(`not admitted: ${admission.kind}`);
  await queue.enqueue(admission.request);
  return admission.request;
}

/** How many keys matching `pattern` each master holds, by port. */
async function keysPerMaster(pattern: string): Promise<Map<number, number>> {
  const masters = [...new Set((await cluster.slotRanges()).map((range) => range.port))];
  const counts = new Map<number, number>();
  for (const port of masters) {
    const node = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
    await node.connect();
    counts.set(port, (await node.keys(pattern)).length);
    node.disconnect();
  }
  return counts;
}

describe('on a Redis Cluster', () => {
  test('100 tickets spread across the 3 masters, each ticket whole on one of them', async () => {
    for (let ticketId = 1; ticketId <= 100; ticketId++) await submit(ticketId, 1);

    const tickets = await keysPerMaster(`${prefix}:issuance:{*}-*:members`);
    const jobs = await keysPerMaster(`${prefix}:ticket-{*}-*:wait`);
    expect([...tickets.values()].reduce((a, b) => a + b, 0)).toBe(100);
    expect(tickets.size).toBe(3);
    // CRC16 of "1".."100" over 16,384 slots in three ranges: no master may go without.
    for (const count of tickets.values()) expect(count).toBeGreaterThanOrEqual(20);
    // A ticket's queue lives where its admission index lives.
    expect(jobs).toEqual(tickets);
    process.stdout.write(`100 tickets per master (port: tickets): ${[...tickets].map(([port, n]) => `${port}: ${n}`).join(', ')}\n`);
  });

  test('lock, fencing token, batch and long-poll wake-up work across the cluster', async () => {
    const first = await submit(200, 1);
    const second = await submit(200, 2);
    const watch = queue.watchDecision(first.requestId);
    const token = (await lock.acquire(t(200)))!;
    expect(token).toBeGreaterThan(0);
    expect(await lock.acquire(t(200))).toBeNull();

    const batch = (await drain.peekBatch(t(200), token, 10))!;
    expect(batch.map((entry) => entry.requestId)).toEqual([first.requestId, second.requestId]);
    // Reading ahead behind the first request, as the drainer does while a batch commits.
    expect((await drain.peekBatch(t(200), token, 10, batch.slice(0, 1)))!.map((entry) => entry.requestId)).toEqual([second.requestId]);
    const decidedAt = Date.now();
    const results = [
      { requestId: first.requestId, outcome: { status: 'ISSUED' as const, issueNumber: 1, memberTicketId: 1, decidedAt } },
      { requestId: second.requestId, outcome: { status: 'ISSUED' as const, issueNumber: 2, memberTicketId: 2, decidedAt } },
    ];
    expect(await drain.completeBatch(t(200), token - 1, results, false)).toBe(false);
    expect(await drain.completeBatch(t(200), token, results, false)).toBe(true);
    // The decision is published on the (cluster-wide) channel and wakes the long poll.
    expect(await watch.until(5000)).toBe(true);
    watch.close();
    expect(await queue.findRequest(second.requestId)).toMatchObject({ kind: 'FOUND', outcome: { status: 'ISSUED', issueNumber: 2 } });
    expect(await redis.llen(ticketKeys(prefix, t(200)).wait)).toBe(0);

    // Bull Board reads the same queue through BullMQ on the cluster connection.
    const board = bullQueueFor(redis, prefix, t(200));
    expect(await board.getJobCounts('waiting', 'completed')).toEqual({ waiting: 0, completed: 2 });
    await board.close();
  });

  test('queue depths of tickets on every master, read with one pipeline per master', async () => {
    const tickets = Array.from({ length: 12 }, (_, n) => 300 + n);
    for (const [n, ticketId] of tickets.entries()) {
      for (let member = 1; member <= 1 + (n % 3); member++) await submit(ticketId, member);
    }
    const depths = new Map((await queueDepths(redis, prefix)).map(({ ticketId, waiting }) => [ticketId, waiting]));
    for (const [n, ticketId] of tickets.entries()) expect([ticketId, depths.get(ticketId)]).toEqual([ticketId, 1 + (n % 3)]);
  });
});
