import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ticketRef, type Outcome, type QueuedRequest } from '@ticketing/core';
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

/** Every ticket of these tests is one row with this generation. */
const GEN = 'ab'.repeat(20);
const t = (ticketId: number) => ticketRef(ticketId, GEN);

const prefix = uniqueRedisPrefix();
let redis: RedisClient;
let queue: RedisSubmissionQueue;
let drain: RedisDrainQueue;
let lock: RedisTicketLock;

beforeAll(async () => {
  redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'test');
  await redisReady(redis, 2000);
  queue = new RedisSubmissionQueue(redis, { prefix });
  drain = new RedisDrainQueue(redis, { prefix });
  lock = new RedisTicketLock(redis, { prefix, ttlMs: 5000 });
});
afterAll(async () => {
  await queue.close();
  await removeRedisPrefix(prefix);
  redis.disconnect();
});

async function submit(ticketId: number, memberId: number): Promise<QueuedRequest> {
  const admission = await queue.admit({ generation: GEN, ticketId, memberId, totalQuantity: 1000, window: 'OPEN', acceptedAt: Date.now() });
  if (admission.kind !== 'ADMITTED') throw new Error(`not admitted: ${admission.kind}`);
  await queue.enqueue(admission.request);
  return admission.request;
}

const issued = (n: number): Outcome => ({ status: 'ISSUED', issueNumber: n, memberTicketId: 100 + n, decidedAt: Date.now() });

describe('admission', () => {
  test('one request per member: every later submission gets the first requestId, even concurrent ones', async () => {
    const admissions = await Promise.all(
      Array.from({ length: 10 }, () =>
        queue.admit({ generation: GEN, ticketId: 10, memberId: 1, totalQuantity: 1000, window: 'OPEN', acceptedAt: 1 }),
      ),
    );
    expect(admissions.filter((a) => a.kind === 'ADMITTED')).toHaveLength(1);
    const ids = new Set(admissions.map((a) => ('request' in a ? a.request.requestId : null)));
    expect(ids.size).toBe(1);
  });

  test('refuses outside the sales window and once sold out, but a member who asked still gets the request', async () => {
    expect(
      await queue.admit({ generation: GEN, ticketId: 11, memberId: 1, totalQuantity: 1000, window: 'NOT_OPEN', acceptedAt: 1 }),
    ).toEqual({
      kind: 'REFUSED',
      code: 'NOT_OPEN',
    });
    expect(await queue.admit({ generation: GEN, ticketId: 11, memberId: 1, totalQuantity: 1000, window: 'CLOSED', acceptedAt: 1 })).toEqual(
      {
        kind: 'REFUSED',
        code: 'CLOSED',
      },
    );
    const first = await submit(11, 2);
    await redis.set(ticketKeys(prefix, t(11)).soldOut, '1');
    expect(await queue.admit({ generation: GEN, ticketId: 11, memberId: 3, totalQuantity: 1000, window: 'OPEN', acceptedAt: 1 })).toEqual({
      kind: 'REFUSED',
      code: 'SOLD_OUT',
    });
    const again = await queue.admit({ generation: GEN, ticketId: 11, memberId: 2, totalQuantity: 1000, window: 'CLOSED', acceptedAt: 1 });
    expect(again.kind === 'EXISTING' && again.request.requestId).toBe(first.requestId);
  });
});

describe('queue', () => {
  test('enqueueing twice adds one job; the request is found PENDING', async () => {
    const request = await submit(20, 1);
    await queue.enqueue(request);
    expect(await redis.llen(ticketKeys(prefix, t(20)).wait)).toBe(1);
    expect(await queue.findRequest(request.requestId)).toEqual({
      kind: 'FOUND',
      request,
      outcome: null,
      line: { sequence: 0, decided: 0, decidedPerSecond: null },
    });
    expect(await drain.activeTickets()).toContainEqual(t(20));
  });

  test('each ticket has its own queue, keyed under its own hash tag', async () => {
    await submit(21, 1);
    await submit(22, 1);
    expect(await redis.llen(ticketKeys(prefix, t(21)).wait)).toBe(1);
    expect(await redis.llen(ticketKeys(prefix, t(22)).wait)).toBe(1);
    const keys = await redis.keys(`${prefix}:*{21}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(/\{21\}/);
  });

  test('peek returns the oldest first, leaves them queued, and only to the lock holder', async () => {
    const requests = [];
    for (let m = 1; m <= 5; m++) requests.push(await submit(30, m));
    const token = (await lock.acquire(t(30)))!;
    expect(await drain.peekBatch(t(30), token - 1, 3)).toBeNull();
    const batch = (await drain.peekBatch(t(30), token, 3))!;
    expect(batch.map((entry) => entry.request)).toEqual(requests.slice(0, 3));
    expect(await drain.peekBatch(t(30), token, 3)).toEqual(batch);
    expect(await redis.llen(ticketKeys(prefix, t(30)).wait)).toBe(5);
  });

  test('reading ahead: the requests behind a batch still at the head, oldest first; none once it left; only to the holder', async () => {
    const requests = [];
    for (let m = 1; m <= 7; m++) requests.push(await submit(31, m));
    const token = (await lock.acquire(t(31)))!;
    const batch = (await drain.peekBatch(t(31), token, 3))!;

    expect(await drain.peekBatch(t(31), token - 1, 3, batch)).toBeNull();
    expect((await drain.peekBatch(t(31), token, 3, batch))!.map((e) => e.request)).toEqual(requests.slice(3, 6));
    expect((await drain.peekBatch(t(31), token, 10, batch))!.map((e) => e.request)).toEqual(requests.slice(3));
    expect(
      await drain.peekBatch(
        t(31),
        token,
        3,
        requests.map((request) => ({ requestId: request.requestId, request })),
      ),
    ).toEqual([]);
    // Once the batch is completed, skipping its length would skip requests 4-6, undecided.
    const results = batch.map((entry, n) => ({ requestId: entry.requestId, outcome: issued(n + 1) }));
    expect(await drain.completeBatch(t(31), token, results, false)).toBe(true);
    expect(await drain.peekBatch(t(31), token, 3, batch)).toEqual([]);
    expect((await drain.peekBatch(t(31), token, 3))!.map((e) => e.request)).toEqual(requests.slice(3, 6));
    expect(await redis.llen(ticketKeys(prefix, t(31)).wait)).toBe(4);
  });

  test('complete stores results as BullMQ completed jobs, removes exactly the batch, and refuses a stale holder', async () => {
    const requests = [];
    for (let m = 1; m <= 4; m++) requests.push(await submit(40, m));
    const token = (await lock.acquire(t(40)))!;
    const batch = (await drain.peekBatch(t(40), token, 2))!;
    const results = batch.map((entry, n) => ({ requestId: entry.requestId, outcome: issued(n + 1) }));

    expect(await drain.completeBatch(t(40), token - 1, results, false)).toBe(false);
    expect(await redis.llen(ticketKeys(prefix, t(40)).wait)).toBe(4);
    expect(await queue.findRequest(requests[0]!.requestId)).toMatchObject({ outcome: null });

    expect(await drain.completeBatch(t(40), token, results, false)).toBe(true);
    expect((await drain.peekBatch(t(40), token, 10))!.map((e) => e.request)).toEqual(requests.slice(2));
    expect(await queue.findRequest(requests[0]!.requestId)).toMatchObject({ outcome: results[0]!.outcome });

    const bull = bullQueueFor(redis, prefix, t(40));
    const job = await bull.getJob(requests[1]!.requestId);
    expect(await job!.getState()).toBe('completed');
    expect(job!.returnvalue).toEqual(results[1]!.outcome);
    expect(await bull.getJobCounts('waiting', 'completed')).toEqual({ waiting: 2, completed: 2 });
    await bull.close();
    // The result is kept once, in the job: the events stream only names the finished jobs.
    const events = (await redis.xrange(ticketKeys(prefix, t(40)).events, '-', '+')).map(([, fields]) => fields);
    const completed = events.filter((fields) => fields[1] === 'completed');
    expect(completed.map((fields) => fields[3])).toEqual(results.map((result) => result.requestId));
    expect(completed.flat()).not.toContain('returnvalue');
  });

  test('FAILED outcomes land in BullMQ’s failed set with their reason', async () => {
    const request = await submit(41, 1);
    const token = (await lock.acquire(t(41)))!;
    const outcome: Outcome = { status: 'FAILED', reason: 'TICKET_NOT_FOUND', decidedAt: Date.now() };
    expect(await drain.completeBatch(t(41), token, [{ requestId: request.requestId, outcome }], false)).toBe(true);
    const bull = bullQueueFor(redis, prefix, t(41));
    const job = await bull.getJob(request.requestId);
    expect(await job!.getState()).toBe('failed');
    expect(job!.failedReason).toBe('TICKET_NOT_FOUND');
    await bull.close();
  });

  test('REJECTED outcomes are completed jobs, like ISSUED ones: only FAILED goes to the failed set', async () => {
    const request = await submit(43, 1);
    const token = (await lock.acquire(t(43)))!;
    const outcome: Outcome = { status: 'REJECTED', reason: 'SOLD_OUT', decidedAt: Date.now() };
    expect(await drain.completeBatch(t(43), token, [{ requestId: request.requestId, outcome }], false)).toBe(true);
    const bull = bullQueueFor(redis, prefix, t(43));
    const job = await bull.getJob(request.requestId);
    expect(await job!.getState()).toBe('completed');
    expect(job!.returnvalue).toEqual(outcome);
    expect(await bull.getJobCounts('completed', 'failed')).toEqual({ completed: 1, failed: 0 });
    await bull.close();
    expect(await queue.findRequest(request.requestId)).toMatchObject({ outcome });
  });

  test('a sold-out batch sets the flag that refuses new members at once', async () => {
    const request = await submit(42, 1);
    const token = (await lock.acquire(t(42)))!;
    await drain.completeBatch(t(42), token, [{ requestId: request.requestId, outcome: issued(1) }], true);
    expect(await queue.admit({ generation: GEN, ticketId: 42, memberId: 2, totalQuantity: 1000, window: 'OPEN', acceptedAt: 1 })).toEqual({
      kind: 'REFUSED',
      code: 'SOLD_OUT',
    });
  });

  test('a thousand concurrent submissions are peeked in the order their enqueue finished', async () => {
    const finished: string[] = [];
    await Promise.all(
      Array.from({ length: 1000 }, async (_, n) => {
        const request = await submit(50, n + 1);
        finished.push(request.requestId);
      }),
    );
    const token = (await lock.acquire(t(50)))!;
    const batch = (await drain.peekBatch(t(50), token, 1000))!;
    expect(batch.map((entry) => entry.requestId)).toEqual(finished);
  });

  test('retiring an empty queue takes it off the active list; a queue with a request stays', async () => {
    await submit(60, 1);
    expect(await drain.retireIfEmpty(t(60))).toBe(false);
    expect(await drain.activeTickets()).toContainEqual(t(60));
    await redis.del(ticketKeys(prefix, t(60)).wait);
    expect(await drain.retireIfEmpty(t(60))).toBe(true);
    expect(await drain.activeTickets()).not.toContainEqual(t(60));
  });

  test('a watcher wakes as soon as its request is completed', async () => {
    const request = await submit(70, 1);
    await queue.startDecisionFeed();
    const watch = queue.watchDecision(request.requestId);
    const token = (await lock.acquire(t(70)))!;
    const startedAt = Date.now();
    setTimeout(() => void drain.completeBatch(t(70), token, [{ requestId: request.requestId, outcome: issued(1) }], false), 50);
    expect(await watch.until(5000)).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(4000);
    watch.close();
    const idle = queue.watchDecision('70-1-00000000-0000000000000000');
    expect(await idle.until(50)).toBe(false);
    idle.close();
  });

  test('one batch wakes the watcher of each of its requests, not only of a batch’s only one', async () => {
    const first = await submit(71, 1);
    const second = await submit(71, 2);
    await queue.startDecisionFeed();
    const watches = [queue.watchDecision(first.requestId), queue.watchDecision(second.requestId)];
    const token = (await lock.acquire(t(71)))!;
    const results = [first, second].map((request, n) => ({ requestId: request.requestId, outcome: issued(n + 1) }));
    setTimeout(() => void drain.completeBatch(t(71), token, results, false), 50);
    expect(await Promise.all(watches.map((watch) => watch.until(3000)))).toEqual([true, true]);
    for (const watch of watches) watch.close();
  });

  test('a completed batch tells its ticket’s line followers the decided count, and the pace once there is one', async () => {
    const requests = [await submit(72, 1), await submit(72, 2), await submit(72, 3)];
    await queue.startDecisionFeed();
    const told: unknown[] = [];
    const unwatch = queue.watchLine(72, (progress) => told.push(progress));
    const token = (await lock.acquire(t(72)))!;
    const told2 = async (count: number) => {
      for (let waited = 0; told.length < count && waited < 3000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    await drain.completeBatch(t(72), token, [{ requestId: requests[0]!.requestId, outcome: issued(1) }], false);
    await told2(1);
    expect(told).toEqual([{ decided: 1, decidedPerSecond: null }]); // one batch says nothing of a pace
    await new Promise((resolve) => setTimeout(resolve, 100));
    const results = requests.slice(1).map((request, n) => ({ requestId: request.requestId, outcome: issued(n + 2) }));
    await drain.completeBatch(t(72), token, results, false);
    await told2(2);
    expect(told[1]).toEqual({ decided: 3, decidedPerSecond: expect.any(Number) });
    expect((told[1] as { decidedPerSecond: number }).decidedPerSecond).toBeGreaterThan(0);
    expect((told[1] as { decidedPerSecond: number }).decidedPerSecond).toBeLessThanOrEqual(2 / 0.1);
    unwatch();
  });

  test('a drainer that lets a queue go measures its pace afresh: a batch after retireIfEmpty stores none', async () => {
    const requests = [await submit(73, 1), await submit(73, 2)];
    const token = (await lock.acquire(t(73)))!;
    await drain.completeBatch(t(73), token, [{ requestId: requests[0]!.requestId, outcome: issued(1) }], false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await drain.retireIfEmpty(t(73))).toBe(false); // a request still waits: the queue stays
    await drain.completeBatch(t(73), token, [{ requestId: requests[1]!.requestId, outcome: issued(2) }], false);
    expect(await redis.get(ticketKeys(prefix, t(73)).pace)).toBeNull();
  });

  test('removals are scheduled per ticket row, listed when due (most overdue first, at most max), and unscheduled', async () => {
    await drain.scheduleRemoval(t(180), 1000);
    await drain.scheduleRemoval(t(181), 500);
    await drain.scheduleRemoval(t(182), 5000);
    expect(await drain.dueRemovals(1000, 10)).toEqual([t(181), t(180)]);
    expect(await drain.dueRemovals(1000, 1)).toEqual([t(181)]);
    expect(await drain.dueRemovals(499, 10)).toEqual([]);
    await drain.scheduleRemoval(t(181), 2000); // a later drain moves it later
    expect(await drain.dueRemovals(1000, 10)).toEqual([t(180)]);
    await drain.unscheduleRemoval(t(180));
    expect(await drain.dueRemovals(10_000, 10)).toEqual([t(181), t(182)]);
  });

  test('removeState removes a drained queue’s state under the lock and refuses ENDED from then on; LOST without it, QUEUED while requests wait', async () => {
    const request = await submit(185, 1);
    const token = (await lock.acquire(t(185)))!;
    expect(await drain.removeState(t(185), token)).toBe('QUEUED');
    await drain.completeBatch(t(185), token, [{ requestId: request.requestId, outcome: issued(1) }], false);
    expect(await drain.removeState(t(185), token + 1)).toBe('LOST');
    expect(await queue.findRequest(request.requestId)).toMatchObject({ kind: 'FOUND' });

    expect(await drain.removeState(t(185), token)).toBe('REMOVED');
    const keys = ticketKeys(prefix, t(185));
    expect(await redis.exists(keys.wait, keys.completed, keys.members, keys.line, `${keys.jobPrefix}${request.requestId}`)).toBe(0);
    expect(await redis.exists(`${keys.jobPrefix}meta`, `${keys.jobPrefix}events`)).toBe(0);
    expect(await redis.pttl(keys.lock)).toBeGreaterThan(4000); // held for the rest of the removal
    expect(await queue.admit({ generation: GEN, ticketId: 185, memberId: 2, totalQuantity: 1000, window: 'OPEN', acceptedAt: 1 })).toEqual({
      kind: 'ENDED',
    });
  });

  test('once as many members as the stock are admitted, a newcomer is SOLD_OUT at once; the admitted still get theirs', async () => {
    const admitted = [];
    for (let m = 1; m <= 3; m++)
      admitted.push(await queue.admit({ generation: GEN, ticketId: 80, memberId: m, totalQuantity: 3, window: 'OPEN', acceptedAt: 1 }));
    expect(admitted.every((a) => a.kind === 'ADMITTED')).toBe(true);
    expect(await queue.admit({ generation: GEN, ticketId: 80, memberId: 4, totalQuantity: 3, window: 'OPEN', acceptedAt: 1 })).toEqual({
      kind: 'REFUSED',
      code: 'SOLD_OUT',
    });
    expect((await queue.admit({ generation: GEN, ticketId: 80, memberId: 2, totalQuantity: 3, window: 'OPEN', acceptedAt: 1 })).kind).toBe(
      'EXISTING',
    );
  });

  test('a request failed MEMBER_NOT_FOUND gives its admission back, so the stock count stays with real members', async () => {
    const ghost = await queue.admit({ generation: GEN, ticketId: 83, memberId: 9, totalQuantity: 1, window: 'OPEN', acceptedAt: 1 });
    if (ghost.kind !== 'ADMITTED') throw new Error(ghost.kind);
    await queue.enqueue(ghost.request);
    expect(await queue.admit({ generation: GEN, ticketId: 83, memberId: 10, totalQuantity: 1, window: 'OPEN', acceptedAt: 1 })).toEqual({
      kind: 'REFUSED',
      code: 'SOLD_OUT',
    });
    const token = (await lock.acquire(t(83)))!;
    const outcome: Outcome = { status: 'FAILED', reason: 'MEMBER_NOT_FOUND', decidedAt: Date.now() };
    expect(await drain.completeBatch(t(83), token, [{ requestId: ghost.request.requestId, outcome, releasedMemberId: 9 }], false)).toBe(
      true,
    );
    expect((await queue.admit({ generation: GEN, ticketId: 83, memberId: 10, totalQuantity: 1, window: 'OPEN', acceptedAt: 1 })).kind).toBe(
      'ADMITTED',
    );
  });

  test('a request Redis has lost (the ticket’s keys are gone) is ABSENT, naming its member, and its seal still checks out from the generation', async () => {
    const request = await submit(81, 7);
    for (const key of await redis.keys(`${prefix}:*{81}*`)) await redis.del(key);
    expect(await queue.findRequest(request.requestId)).toEqual({ kind: 'ABSENT', ticketId: 81, memberId: 7 });
    expect(queue.isSealed(request.requestId, GEN)).toBe(true);
    // New requests of the same row work as before.
    const fresh = await submit(81, 8);
    expect(await queue.findRequest(fresh.requestId)).toMatchObject({ kind: 'FOUND' });
  });

  test('a request a failover lost (its job gone) is ABSENT and sealed; a made-up id of that epoch is ABSENT but not sealed', async () => {
    const kept = await submit(84, 1);
    const dropped = await submit(84, 2);
    const keys = ticketKeys(prefix, t(84));
    await redis.del(keys.jobPrefix + dropped.requestId);
    await redis.lrem(keys.wait, 0, dropped.requestId);
    await redis.hdel(keys.members, '2');
    expect(await queue.findRequest(dropped.requestId)).toEqual({ kind: 'ABSENT', ticketId: 84, memberId: 2 });
    expect(queue.isSealed(dropped.requestId, GEN)).toBe(true);
    expect(await queue.findRequest(kept.requestId)).toMatchObject({ kind: 'FOUND' });
    const forged = dropped.requestId.replace(/-(\d+)-([0-9a-f]{8})-/, '-3-$2-');
    expect(await queue.findRequest(forged)).toEqual({ kind: 'ABSENT', ticketId: 84, memberId: 3 });
    expect(queue.isSealed(forged, GEN)).toBe(false);
  });

  test('ids are sealed for one row only: another generation (a row that reused the id) does not accept them', async () => {
    const request = await submit(85, 1);
    expect(queue.isSealed(request.requestId, GEN)).toBe(true);
    expect(queue.isSealed(request.requestId, 'cd'.repeat(20))).toBe(false);
    // Same epoch, other secret: the seal, not the epoch, decides.
    expect(queue.isSealed(request.requestId, `abababab${'cd'.repeat(16)}`)).toBe(false);
  });

  test('unknown and malformed request ids: ABSENT but not sealed, or not ids at all', async () => {
    const known = await submit(82, 1);
    const sameEpochUnknown = known.requestId.replace(/[0-9a-f]{16}$/, '0000000000000000');
    expect(await queue.findRequest(sameEpochUnknown)).toEqual({ kind: 'ABSENT', ticketId: 82, memberId: 1 });
    expect(queue.isSealed(sameEpochUnknown, GEN)).toBe(false);
    expect(await queue.findRequest('70-00000000000000000000')).toBeNull();
    expect(await queue.findRequest('nonsense')).toBeNull();
    expect(await queue.findRequest('1:2')).toBeNull();
    expect(queue.isSealed('nonsense', GEN)).toBe(false);
  });
});
