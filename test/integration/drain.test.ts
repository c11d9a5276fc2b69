import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  decideBatch,
  drainTicket,
  systemClock,
  ticketRef,
  type BatchCommit,
  type DrainDeps,
  type Logger,
  type QueuedRequest,
  type TicketRef,
} from '@ticketing/core';
import { createPrisma, PrismaTicketStore, type PrismaClient } from '@ticketing/db';
import {
  createRedis,
  RedisDrainQueue,
  redisReady,
  RedisSubmissionQueue,
  RedisTicketLock,
  ticketKeys,
  type RedisClient,
} from '@ticketing/queue';
import { createTestDatabase, removeRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix, type TestDatabase } from '@ticketing/testkit';

/**
 * The drain loop on the real adapters: one MariaDB database and one Redis prefix for the suite,
 * a fresh ticket per test. The lock and the fencing guard are broken on purpose to show what
 * each one prevents.
 */
const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const prefix = uniqueRedisPrefix();
let database: TestDatabase;
let prisma: PrismaClient;
let redis: RedisClient;
let store: PrismaTicketStore;
let submissions: RedisSubmissionQueue;
let queue: RedisDrainQueue;
let memberIds: number[] = [];
let ticketCount = 0;

function deps(overrides: Partial<DrainDeps> = {}): DrainDeps {
  return {
    store,
    queue,
    lock: new RedisTicketLock(redis, { prefix, ttlMs: 2000 }),
    clock: systemClock,
    log: silent,
    observer: { batchDecided: () => undefined },
    settings: { batchSize: 50, idleMs: 100, maxPollMs: 10, retryMinMs: 10, retryMaxMs: 100, resultTtlMs: 86_400_000 },
    ...overrides,
  };
}

/** The generation of each ticket row the suite made, by id: its queue is named after it. */
const generations = new Map<number, string>();
const ref = (ticketId: number): TicketRef => ticketRef(ticketId, generations.get(ticketId)!);

async function newTicket(totalQuantity: number): Promise<number> {
  const created = await store.createTicket({ name: `drain-${++ticketCount}`, totalQuantity, openAt: new Date(0), closeAt: null });
  if (!created.ok) throw new Error(created.error.code);
  generations.set(created.value.id, created.value.generation);
  return created.value.id;
}

async function enqueueMembers(ticketId: number, members: number[]): Promise<QueuedRequest[]> {
  const requests: QueuedRequest[] = [];
  for (const memberId of members) {
    const admission = await submissions.admit({
      ticketId,
      generation: generations.get(ticketId)!,
      memberId,
      totalQuantity: 100_000,
      window: 'OPEN',
      acceptedAt: Date.now(),
    });
    if (admission.kind !== 'ADMITTED') throw new Error(admission.kind);
    await submissions.enqueue(admission.request);
    requests.push(admission.request);
  }
  return requests;
}

/**
 * The commit as a naive worker would write it: the production statements without their guard, so
 * the ticket row is overwritten whatever its issued_quantity and fencing token. Only this test has it.
 */
async function commitUnguarded(
  client: PrismaClient,
  { ticketId, fencingToken, expectedIssuedQuantity, issues }: BatchCommit,
): Promise<void> {
  await client.$transaction(async (tx) => {
    const updated =
      await tx.$executeRaw`UPDATE ticket SET issued_quantity = ${expectedIssuedQuantity + issues.length}, fencing_token = ${fencingToken}
      WHERE id = ${ticketId}`;
    if (updated !== 1) throw new Error(`no ticket ${ticketId}`);
    for (const { requestId, memberId, issueNumber } of issues) {
      await tx.$executeRaw`INSERT INTO member_ticket (ticket_id, member_id, issue_number, request_id)
        VALUES (${ticketId}, ${memberId}, ${issueNumber}, ${requestId})`;
    }
  });
}

async function rows(ticketId: number) {
  return prisma.memberTicket.findMany({ where: { ticketId }, orderBy: { issueNumber: 'asc' } });
}

async function outcomes(requests: QueuedRequest[]) {
  return Promise.all(
    requests.map(async (r) => {
      const stored = await submissions.findRequest(r.requestId);
      return stored?.kind === 'FOUND' ? stored.outcome : null;
    }),
  );
}

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url);
  redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'drain-test');
  await redisReady(redis, 2000);
  store = new PrismaTicketStore(prisma);
  submissions = new RedisSubmissionQueue(redis, { prefix });
  queue = new RedisDrainQueue(redis, { prefix });
  await prisma.member.createMany({ data: Array.from({ length: 300 }, (_, n) => ({ name: `m${n}` })) });
  memberIds = (await prisma.member.findMany({ orderBy: { id: 'asc' }, select: { id: true } })).map((m) => m.id);
}, 60_000);

afterAll(async () => {
  await submissions?.close();
  redis?.disconnect();
  await prisma?.$disconnect();
  await removeRedisPrefix(prefix);
  await database?.drop();
});

describe('drainTicket on MariaDB and Redis', () => {
  test('four concurrent drainers: one holds the lock, stock goes to the first in queue order', async () => {
    const ticketId = await newTicket(120);
    const requests = await enqueueMembers(ticketId, memberIds);
    const stop = new AbortController();
    const results = await Promise.all(Array.from({ length: 4 }, () => drainTicket(deps(), ref(ticketId), stop.signal)));
    expect(results.filter((r) => r === 'DRAINED')).toHaveLength(1);
    expect(results.filter((r) => r === 'BUSY')).toHaveLength(3);

    const issued = await rows(ticketId);
    expect(issued.map((r) => r.memberId)).toEqual(memberIds.slice(0, 120));
    expect(issued.map((r) => r.issueNumber)).toEqual(Array.from({ length: 120 }, (_, n) => n + 1));
    const answers = await outcomes(requests);
    expect(answers.slice(0, 120).every((o) => o?.status === 'ISSUED')).toBe(true);
    expect(answers.slice(120).every((o) => o?.status === 'REJECTED' && o.reason === 'SOLD_OUT')).toBe(true);
    expect((await store.loadDrainState(ticketId))!.issuedQuantity).toBe(120);
    expect(await redis.exists(ticketKeys(prefix, ref(ticketId)).soldOut)).toBe(1);
  });

  test('a holder that dies between its commit and completing the batch: the next holder answers the same numbers', async () => {
    const ticketId = await newTicket(30);
    const requests = await enqueueMembers(ticketId, memberIds.slice(0, 60));
    const lock = new RedisTicketLock(redis, { prefix, ttlMs: 2000 });
    const token = (await lock.acquire(ref(ticketId)))!;
    const batch = (await queue.peekBatch(ref(ticketId), token, 20))!;
    const decided = decideBatch(
      { totalQuantity: 30, issuedQuantity: 0, closeAt: null },
      batch.map((e) => e.request!),
      [],
    );
    expect(await store.commitBatch({ ticketId, fencingToken: token, expectedIssuedQuantity: 0, issues: decided.newIssues })).toMatchObject({
      kind: 'COMMITTED',
    });
    await redis.del(ticketKeys(prefix, ref(ticketId)).lock); // it died: its lock lapses

    expect(await drainTicket(deps(), ref(ticketId), new AbortController().signal)).toBe('DRAINED');
    const issued = await rows(ticketId);
    expect(issued).toHaveLength(30);
    expect(issued.map((r) => r.requestId)).toEqual(requests.slice(0, 30).map((r) => r.requestId));
    const answers = await outcomes(requests);
    answers.slice(0, 30).forEach((o, n) => {
      expect(o).toMatchObject({ status: 'ISSUED', issueNumber: n + 1, memberTicketId: issued[n]!.id });
    });
  });

  test('the fencing token refuses a stale holder’s commit and its completion; nothing it decided is written', async () => {
    const ticketId = await newTicket(10);
    const requests = await enqueueMembers(ticketId, memberIds.slice(0, 20));
    const lock = new RedisTicketLock(redis, { prefix, ttlMs: 2000 });
    const stale = (await lock.acquire(ref(ticketId)))!;
    const staleBatch = (await queue.peekBatch(ref(ticketId), stale, 10))!;
    const staleDecision = decideBatch(
      { totalQuantity: 10, issuedQuantity: 0, closeAt: null },
      staleBatch.map((e) => e.request!),
      [],
    );

    await redis.del(ticketKeys(prefix, ref(ticketId)).lock); // frozen past its lifetime: the lock expired
    expect(await drainTicket(deps(), ref(ticketId), new AbortController().signal)).toBe('DRAINED');

    const commit = await store.commitBatch({ ticketId, fencingToken: stale, expectedIssuedQuantity: 0, issues: staleDecision.newIssues });
    expect(commit).toEqual({ kind: 'STALE' });
    expect(await queue.completeBatch(ref(ticketId), stale, [], true)).toBe(false);
    expect(await rows(ticketId)).toHaveLength(10);
    expect((await outcomes(requests)).filter((o) => o?.status === 'ISSUED')).toHaveLength(10);
  });

  test('a commit refused as stale while the lock is still held: nothing completed, the batch decided again from the database', async () => {
    const ticketId = await newTicket(10);
    const [outsider, ...members] = memberIds.slice(0, 4);
    const requests = await enqueueMembers(ticketId, members);
    const seen: Array<{ waiting: number; completed: number; holder: string | null }> = [];
    // Between the holder's read and its first commit, an older holder's commit lands (its token
    // is lower, so only the moved issued_quantity refuses ours). Every commit first records what
    // the queue holds: the batch must still be waiting, none of it completed.
    let first = true;
    const racingStore: DrainDeps['store'] = {
      loadDrainState: (id) => store.loadDrainState(id),
      readBatchMembers: (id, members) => store.readBatchMembers(id, members),
      commitBatch: async (commit) => {
        const keys = ticketKeys(prefix, ref(ticketId));
        seen.push({
          waiting: await redis.llen(keys.wait),
          completed: await redis.zcard(keys.completed),
          holder: await redis.get(keys.lock),
        });
        if (first) {
          first = false;
          const elsewhere = { requestId: `elsewhere-${ticketId}`, memberId: outsider!, issueNumber: 1 };
          expect(await store.commitBatch({ ticketId, fencingToken: 0, expectedIssuedQuantity: 0, issues: [elsewhere] })).toMatchObject({
            kind: 'COMMITTED',
          });
        }
        return store.commitBatch(commit);
      },
    };

    expect(await drainTicket(deps({ store: racingStore }), ref(ticketId), new AbortController().signal)).toBe('DRAINED');
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual({ waiting: 3, completed: 0, holder: seen[0]!.holder });
    const issued = await rows(ticketId);
    expect(issued.map((row) => row.issueNumber)).toEqual([1, 2, 3, 4]);
    // Decided again from issued_quantity 1: every answer is its committed row, none from the refused commit.
    const answers = await outcomes(requests);
    answers.forEach((answer, n) => {
      expect(answer).toMatchObject({ status: 'ISSUED', issueNumber: n + 2, memberTicketId: issued[n + 1]!.id });
    });
  });

  test('broken on purpose: without the guard (and without the UNIQUE backstop) the stale holder over-issues', async () => {
    // A separate database whose UNIQUE constraints are dropped, so only the guard stands in the way.
    const bare = await createTestDatabase();
    const barePrisma = createPrisma(bare.url);
    try {
      await barePrisma.$executeRawUnsafe(
        'ALTER TABLE member_ticket ADD INDEX bare_ticket_id (ticket_id), DROP INDEX member_ticket_ticket_id_member_id_key, DROP INDEX member_ticket_ticket_id_issue_number_key, DROP INDEX member_ticket_request_id_key',
      );
      await barePrisma.member.createMany({ data: Array.from({ length: 20 }, (_, n) => ({ name: `b${n}` })) });
      const members = (await barePrisma.member.findMany({ orderBy: { id: 'asc' } })).map((m) => m.id);
      const bareStore = new PrismaTicketStore(barePrisma);
      const created = await bareStore.createTicket({ name: 'bare', totalQuantity: 5, openAt: new Date(0), closeAt: null });
      if (!created.ok) throw new Error('ticket');
      const ticketId = created.value.id;
      generations.set(ticketId, created.value.generation);
      const stalePrefix = `${prefix}-bare`;
      const bareSubmissions = new RedisSubmissionQueue(redis, { prefix: stalePrefix });
      const bareQueue = new RedisDrainQueue(redis, { prefix: stalePrefix });
      const lock = new RedisTicketLock(redis, { prefix: stalePrefix, ttlMs: 2000 });
      for (const memberId of members) {
        const admission = await bareSubmissions.admit({
          ticketId,
          generation: created.value.generation,
          memberId,
          totalQuantity: 100_000,
          window: 'OPEN',
          acceptedAt: Date.now(),
        });
        if (admission.kind === 'ADMITTED') await bareSubmissions.enqueue(admission.request);
      }
      const stale = (await lock.acquire(ref(ticketId)))!;
      const staleBatch = (await bareQueue.peekBatch(ref(ticketId), stale, 5))!;
      const staleDecision = decideBatch(
        { totalQuantity: 5, issuedQuantity: 0, closeAt: null },
        staleBatch.map((e) => e.request!),
        [],
      );
      await redis.del(ticketKeys(stalePrefix, ref(ticketId)).lock);
      const drained = await drainTicket(deps({ store: bareStore, queue: bareQueue, lock }), ref(ticketId), new AbortController().signal);
      expect(drained).toBe('DRAINED');
      expect(await barePrisma.memberTicket.count({ where: { ticketId } })).toBe(5);

      // The guarded commit is refused even here...
      expect(
        await bareStore.commitBatch({ ticketId, fencingToken: stale, expectedIssuedQuantity: 0, issues: staleDecision.newIssues }),
      ).toEqual({ kind: 'STALE' });
      expect(await barePrisma.memberTicket.count({ where: { ticketId } })).toBe(5);
      // ...while the unguarded one lands: ten rows for a stock of five, five members twice.
      await commitUnguarded(barePrisma, { ticketId, fencingToken: stale, expectedIssuedQuantity: 0, issues: staleDecision.newIssues });
      expect(await barePrisma.memberTicket.count({ where: { ticketId } })).toBe(10);
      await bareSubmissions.close();
      await removeRedisPrefix(stalePrefix);
    } finally {
      await barePrisma.$disconnect();
      await bare.drop();
    }
  });

  test('a lost lock stops the drainer before its next batch', async () => {
    const ticketId = await newTicket(1000);
    await enqueueMembers(ticketId, memberIds.slice(0, 100));
    let batches = 0;
    const thief = new RedisTicketLock(redis, { prefix, ttlMs: 2000 });
    const result = await drainTicket(
      deps({
        observer: {
          batchDecided: () => {
            batches += 1;
            // After the first batch another process takes the lock (as after an expiry).
            if (batches === 1) void redis.del(ticketKeys(prefix, ref(ticketId)).lock).then(() => thief.acquire(ref(ticketId)));
          },
        },
        settings: { batchSize: 10, idleMs: 100, maxPollMs: 10, retryMinMs: 10, retryMaxMs: 100, resultTtlMs: 86_400_000 },
      }),
      ref(ticketId),
      new AbortController().signal,
    );
    expect(result).toBe('LOST');
    expect((await rows(ticketId)).length).toBeLessThan(100);
  });

  test('a holder paused inside its retirement while its lock is taken over ends LOST, not DRAINED', async () => {
    const ticketId = await newTicket(1000);
    await enqueueMembers(ticketId, memberIds.slice(0, 20));
    const thief = new RedisTicketLock(redis, { prefix, ttlMs: 2000 });
    const pausedQueue: DrainDeps['queue'] = {
      peekBatch: (...args) => queue.peekBatch(...args),
      completeBatch: (...args) => queue.completeBatch(...args),
      scheduleRemoval: (...args) => queue.scheduleRemoval(...args),
      // As under SIGSTOP: the retirement's answer waits while the lock expires and another
      // worker takes it (here at once, by deleting the key), until the lease finds out.
      retireIfEmpty: async (ticket) => {
        const retired = await queue.retireIfEmpty(ticket);
        await redis.del(ticketKeys(prefix, ticket).lock);
        await thief.acquire(ticket);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return retired;
      },
    };
    const result = await drainTicket(deps({ queue: pausedQueue }), ref(ticketId), new AbortController().signal);
    expect(result).toBe('LOST');
    expect((await rows(ticketId)).length).toBe(20);
  });
});
