import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type DecidedResult, type QueuedRequest, ticketRef } from '@ticketing/core';
import {
  bullQueueFor,
  createRedis,
  RedisDrainQueue,
  redisReady,
  RedisSubmissionQueue,
  RedisTicketLock,
  ticketKeys,
  type RedisClient,
} from '@ticketing/queue';
import { removeRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '@ticketing/testkit';
import { Job } from 'bullmq';

/**
 * G11 in Redis: enqueueBatch.lua gives each request its sequence number as it enters the queue
 * (so sequence order is queue order, whichever API process enqueued it), completeBatch.lua counts
 * each request decided once, when it leaves the queue, and the drainer's pace is stored for the
 * estimate.
 */
const prefix = uniqueRedisPrefix();
/** Every ticket of these tests is one row with this generation. */
const GEN = 'cd'.repeat(20);
const t = (ticketId: number) => ticketRef(ticketId, GEN);
let redis: RedisClient;
let connections: RedisClient[];
let apis: RedisSubmissionQueue[];
let drain: RedisDrainQueue;

beforeAll(async () => {
  redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'test');
  await redisReady(redis, 2000);
  // Two API processes' queues, on connections of their own.
  connections = ['api-1', 'api-2'].map((name) => createRedis({ redisUrl: TEST_REDIS_URL }, name));
  await Promise.all(connections.map((connection) => redisReady(connection, 2000)));
  apis = connections.map((connection) => new RedisSubmissionQueue(connection, { prefix }));
  drain = new RedisDrainQueue(redis, { prefix });
});
afterAll(async () => {
  await Promise.all(apis.map((api) => api.close()));
  for (const connection of connections) connection.disconnect();
  await removeRedisPrefix(prefix);
  redis.disconnect();
});

async function admitted(api: RedisSubmissionQueue, ticketId: number, memberId: number): Promise<QueuedRequest> {
  const admission = await api.admit({
    generation: GEN,
    ticketId,
    memberId,
    totalQuantity: 100_000,
    window: 'OPEN',
    acceptedAt: Date.now(),
  });
  if (admission.kind !== 'ADMITTED') throw new Error(`not admitted: ${admission.kind}`);
  return admission.request;
}

const rejected = (requestId: string): DecidedResult => ({ requestId, outcome: { status: 'REJECTED', reason: 'SOLD_OUT', decidedAt: 1 } });

describe('sequence numbers', () => {
  test('two processes enqueueing concurrently: the sequences are 0..N-1 exactly in queue order', async () => {
    const ticketId = 1;
    const requests = await Promise.all(Array.from({ length: 200 }, (_, n) => admitted(apis[n % 2]!, ticketId, n + 1)));
    const readings = await Promise.all(requests.map((request, n) => apis[(n + 1) % 2]!.enqueue(request)));
    const sequenceOf = new Map(requests.map((request, n) => [request.requestId, readings[n]!.sequence]));
    // The wait list's right end is the oldest.
    const queueOrder = (await redis.lrange(ticketKeys(prefix, t(ticketId)).wait, 0, -1)).reverse();
    expect(queueOrder.map((id) => sequenceOf.get(id))).toEqual(Array.from({ length: 200 }, (_, n) => n));
    for (const reading of readings) expect(reading).toMatchObject({ decided: 0, decidedPerSecond: null });
  });

  test('enqueueing again keeps the first sequence and adds nothing; BullMQ reads the job as its own', async () => {
    const ticketId = 2;
    const [first, second] = [await admitted(apis[0]!, ticketId, 1), await admitted(apis[0]!, ticketId, 2)];
    expect((await apis[0]!.enqueue(first))!.sequence).toBe(0);
    expect((await apis[1]!.enqueue(second))!.sequence).toBe(1);
    expect((await apis[1]!.enqueue(first))!.sequence).toBe(0);
    expect(await redis.llen(ticketKeys(prefix, t(ticketId)).wait)).toBe(2);

    const queue = bullQueueFor(redis, prefix, t(ticketId));
    try {
      const job = await Job.fromId(queue, second.requestId);
      expect(job?.name).toBe('issue');
      expect(job?.data).toEqual({ ticketId, memberId: 2, acceptedAt: second.acceptedAt, acceptedBefore: 1, positionAtAcceptance: 1 });
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 2 });
      expect(await job?.getState()).toBe('waiting');
    } finally {
      await queue.close();
    }
  });
});

describe('decided count', () => {
  test('grows by each request leaving the queue, once: a stale holder writes nothing, a redo counts nothing twice', async () => {
    const ticketId = 3;
    const requests = await Promise.all([1, 2, 3, 4, 5].map((memberId) => admitted(apis[0]!, ticketId, memberId)));
    for (const request of requests) await apis[0]!.enqueue(request);
    const lock = new RedisTicketLock(redis, { prefix, ttlMs: 200 });
    const stale = (await lock.acquire(t(ticketId)))!;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const holder = (await lock.acquire(t(ticketId)))!;

    expect(
      await drain.completeBatch(
        t(ticketId),
        stale,
        requests.slice(0, 2).map((r) => rejected(r.requestId)),
        false,
      ),
    ).toBe(false);
    expect(await redis.hget(ticketKeys(prefix, t(ticketId)).line, 'decided')).toBeNull();

    expect(
      await drain.completeBatch(
        t(ticketId),
        holder,
        requests.slice(0, 2).map((r) => rejected(r.requestId)),
        false,
      ),
    ).toBe(true);
    // The same two again (a retry whose first completion did land): nothing is left to remove.
    expect(
      await drain.completeBatch(
        t(ticketId),
        holder,
        requests.slice(0, 2).map((r) => rejected(r.requestId)),
        false,
      ),
    ).toBe(true);
    const line = await redis.hgetall(ticketKeys(prefix, t(ticketId)).line);
    expect(line).toMatchObject({ admitted: '5', decided: '2', rejected: '2' });

    const third = await apis[1]!.findRequest(requests[2]!.requestId);
    expect(third).toMatchObject({ kind: 'FOUND', outcome: null, line: { sequence: 2, decided: 2 } });
    // A decided request has no place in line.
    expect(await apis[1]!.findRequest(requests[0]!.requestId)).toMatchObject({ line: null, outcome: { status: 'REJECTED' } });
  });

  test('the drainer stores its pace once it has two batches to measure; readers get it with the place', async () => {
    const ticketId = 4;
    const requests = await Promise.all(Array.from({ length: 6 }, (_, n) => admitted(apis[0]!, ticketId, n + 1)));
    for (const request of requests) await apis[0]!.enqueue(request);
    const lock = new RedisTicketLock(redis, { prefix, ttlMs: 5000 });
    const token = (await lock.acquire(t(ticketId)))!;
    await drain.completeBatch(
      t(ticketId),
      token,
      requests.slice(0, 2).map((r) => rejected(r.requestId)),
      false,
    );
    expect(await redis.get(ticketKeys(prefix, t(ticketId)).pace)).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await drain.completeBatch(
      t(ticketId),
      token,
      requests.slice(2, 4).map((r) => rejected(r.requestId)),
      false,
    );
    const pace = Number(await redis.get(ticketKeys(prefix, t(ticketId)).pace));
    expect(pace).toBeGreaterThan(0);
    expect(pace).toBeLessThanOrEqual(2 / 0.1);
    expect(await redis.pttl(ticketKeys(prefix, t(ticketId)).pace)).toBeGreaterThan(0);
    const found = await apis[0]!.findRequest(requests[5]!.requestId);
    expect(found).toMatchObject({ line: { sequence: 5, decided: 4, decidedPerSecond: pace } });
  });
});

describe('places in the job data, as Bull Board shows them', () => {
  test('acceptedBefore is the sequence and positionAtAcceptance what the 202 said; neither changes while the line moves', async () => {
    const ticketId = 5;
    const requests = await Promise.all([1, 2, 3, 4].map((memberId) => admitted(apis[0]!, ticketId, memberId)));
    for (const request of requests.slice(0, 3)) await apis[0]!.enqueue(request);
    const lock = new RedisTicketLock(redis, { prefix, ttlMs: 5000 });
    const token = (await lock.acquire(t(ticketId)))!;
    await drain.completeBatch(
      t(ticketId),
      token,
      requests.slice(0, 2).map((r) => rejected(r.requestId)),
      false,
    );
    const reading = (await apis[0]!.enqueue(requests[3]!))!;
    expect(reading).toMatchObject({ sequence: 3, decided: 2 });

    const queue = bullQueueFor(redis, prefix, t(ticketId));
    try {
      const data = async (n: number) => (await Job.fromId(queue, requests[n]!.requestId))?.data;
      expect(await data(3)).toMatchObject({ acceptedBefore: 3, positionAtAcceptance: 1 });
      // Written once at acceptance: the batch decided meanwhile did not touch the jobs still waiting.
      expect(await data(2)).toMatchObject({ acceptedBefore: 2, positionAtAcceptance: 2 });
    } finally {
      await queue.close();
    }
  });

  test('a job written before the rename (its place under `sequence`) keeps its place', async () => {
    const ticketId = 6;
    const request = await admitted(apis[0]!, ticketId, 1);
    const keys = ticketKeys(prefix, t(ticketId));
    const data = JSON.stringify({ ticketId, memberId: 1, acceptedAt: request.acceptedAt, sequence: 7 });
    await redis.hset(keys.jobPrefix + request.requestId, 'name', 'issue', 'data', data);
    await redis.lpush(keys.wait, request.requestId);
    expect(await apis[0]!.findRequest(request.requestId)).toMatchObject({ line: { sequence: 7 } });
    expect(await apis[0]!.enqueue(request)).toMatchObject({ sequence: 7 });
  });
});
