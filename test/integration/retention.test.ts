import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  drainTicket,
  getIssueRequest,
  removeEndedState,
  submitIssueRequest,
  systemClock,
  ticketRef,
  type DrainDeps,
  type IssueRequestDeps,
  type Logger,
  type RetentionDeps,
  type TicketRef,
} from '@ticketing/core';
import { createPrisma, PrismaMemberStore, PrismaTicketStore, type PrismaClient } from '@ticketing/db';
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
 * Retention (G10) on the real adapters: an ended ticket's Redis state removed in bounded steps
 * under its lock, a removal interrupted by a worker's death and raced by a late request, and what
 * polls and members asking again get afterwards. The end-to-end test runs it through processes.
 */
const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const prefix = uniqueRedisPrefix();
const STOCK = 600; // more than one removal step (500 jobs) holds
let database: TestDatabase;
let prisma: PrismaClient;
let redis: RedisClient;
let store: PrismaTicketStore;
let submissions: RedisSubmissionQueue;
let queue: RedisDrainQueue;
let lock: RedisTicketLock;
let memberIds: number[] = [];

const drainDeps = (): DrainDeps => ({
  store,
  queue,
  lock,
  clock: systemClock,
  log: silent,
  observer: { batchDecided: () => undefined },
  settings: { batchSize: 200, idleMs: 50, maxPollMs: 10, retryMinMs: 10, retryMaxMs: 100, resultTtlMs: 0 },
});
const retentionDeps = (): RetentionDeps => ({ store, queue, lock, clock: systemClock, log: silent, resultTtlMs: 0 });
const submitDeps = (): IssueRequestDeps => ({
  tickets: store,
  freshTickets: store,
  members: new PrismaMemberStore(prisma),
  queue: submissions,
  clock: systemClock,
});

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url);
  redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'retention-test');
  await redisReady(redis, 2000);
  store = new PrismaTicketStore(prisma);
  submissions = new RedisSubmissionQueue(redis, { prefix });
  queue = new RedisDrainQueue(redis, { prefix, lockTtlMs: 2000 });
  lock = new RedisTicketLock(redis, { prefix, ttlMs: 2000 });
  await prisma.member.createMany({ data: Array.from({ length: STOCK + 3 }, (_, n) => ({ name: `r${n}` })) });
  memberIds = (await prisma.member.findMany({ orderBy: { id: 'asc' }, select: { id: true } })).map((m) => m.id);
}, 60_000);

afterAll(async () => {
  await submissions?.close();
  redis?.disconnect();
  await prisma?.$disconnect();
  await removeRedisPrefix(prefix);
  await database?.drop();
});

async function ticketKeysLeft(ticket: TicketRef): Promise<string[]> {
  return (await redis.keys(`${prefix}:*{${ticket.ticketId}}-${ticket.epoch}*`)).sort();
}

describe('removing an ended ticket’s Redis state', () => {
  test('a removal cut short by a worker’s death and raced by a late request loses nothing; afterwards the database answers', async () => {
    const created = await store.createTicket({ name: 'retained', totalQuantity: STOCK + 1, openAt: new Date(0), closeAt: null });
    if (!created.ok) throw new Error(created.error.code);
    const ticket = ticketRef(created.value.id, created.value.generation);
    const { id: ticketId, generation } = created.value;

    const requestIds: string[] = [];
    for (const memberId of memberIds.slice(0, STOCK)) {
      const submitted = await submitIssueRequest(submitDeps(), ticketId, memberId);
      if (!submitted.ok) throw new Error(submitted.error.code);
      requestIds.push(submitted.value.request.requestId);
    }
    // The last unit: admitted now, its job lands only once the removal has begun (its API was slow).
    const late = await submissions.admit({
      ticketId,
      generation,
      memberId: memberIds[STOCK]!,
      totalQuantity: STOCK + 1,
      window: 'OPEN',
      acceptedAt: Date.now(),
    });
    if (late.kind !== 'ADMITTED') throw new Error(late.kind);
    expect(await drainTicket(drainDeps(), ticket, new AbortController().signal)).toBe('DRAINED');
    expect(await queue.dueRemovals(Date.now(), 10)).toEqual([]); // open: one unit left

    // The sale ends: the ticket closes now, after the late request was accepted.
    await prisma.ticket.update({ where: { id: ticketId }, data: { closeAt: new Date() } });
    await queue.scheduleRemoval(ticket, Date.now());
    expect(await queue.dueRemovals(Date.now(), 10)).toEqual([ticket]);

    // A worker takes the lock, removes one bounded step, and dies (its lock lapses).
    const token = (await lock.acquire(ticket))!;
    expect(await queue.removeState(ticket, token + 1)).toBe('LOST');
    expect(await queue.removeState(ticket, token)).toBe('MORE');
    await redis.del(ticketKeys(prefix, ticket).lock);
    // From the first step on, newcomers are refused without queueing; the late job still lands.
    expect(
      await submissions.admit({
        ticketId,
        generation,
        memberId: memberIds[STOCK + 1]!,
        totalQuantity: STOCK + 1,
        window: 'OPEN',
        acceptedAt: 1,
      }),
    ).toEqual({ kind: 'ENDED' });
    await submissions.enqueue(late.request);

    // Another worker: the waiting request stops the removal, the drain decides it and reschedules.
    expect(await removeEndedState(retentionDeps(), ticket)).toBe('QUEUED');
    expect(await drainTicket(drainDeps(), ticket, new AbortController().signal)).toBe('DRAINED');
    expect(await queue.dueRemovals(Date.now() + 1, 10)).toEqual([ticket]);
    expect(await removeEndedState(retentionDeps(), ticket)).toBe('REMOVED');
    expect(await queue.dueRemovals(Date.now() + 1, 10)).toEqual([]);

    // What stays: the flag refusing admissions (it expires); the lock was released.
    expect(await ticketKeysLeft(ticket)).toEqual([ticketKeys(prefix, ticket).ended]);
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: ticketId } })).stateRemovedAt).not.toBeNull();
    const issued = await prisma.memberTicket.findMany({ where: { ticketId }, orderBy: { issueNumber: 'asc' } });
    expect(issued).toHaveLength(STOCK + 1);
    expect(issued.at(-1)).toMatchObject({ requestId: late.request.requestId, issueNumber: STOCK + 1 });

    const poll = (requestId: string) => getIssueRequest(submitDeps(), requestId, 0);
    expect(await poll(late.request.requestId)).toMatchObject({ ok: true, value: { status: 'ISSUED', issueNumber: STOCK + 1 } });
    expect(await poll(requestIds[0]!)).toMatchObject({ ok: true, value: { status: 'ISSUED', issueNumber: 1 } });
    const forged = requestIds[0]!.replace(/-(\d+)-([0-9a-f]{8})-/, `-${memberIds[STOCK + 2]}-$2-`);
    expect(await poll(forged)).toEqual({ ok: false, error: { code: 'ISSUE_REQUEST_NOT_FOUND' } });
    // Asking again: the issued member gets its request, a newcomer the ticket's refusal.
    expect(await submitIssueRequest(submitDeps(), ticketId, memberIds[0]!)).toMatchObject({
      ok: true,
      value: { created: false, request: { requestId: requestIds[0]!, status: 'ISSUED' } },
    });
    expect(await submitIssueRequest(submitDeps(), ticketId, memberIds[STOCK + 2]!)).toEqual({ ok: false, error: { code: 'SOLD_OUT' } });
  }, 60_000);

  test('a request refused after its ticket’s state is gone polls 410 ISSUE_REQUEST_EXPIRED', async () => {
    const created = await store.createTicket({ name: 'expired', totalQuantity: 1, openAt: new Date(0), closeAt: null });
    if (!created.ok) throw new Error(created.error.code);
    const ticket = ticketRef(created.value.id, created.value.generation);
    const [first, second] = await Promise.all(
      memberIds.slice(0, 2).map((memberId) => submitIssueRequest(submitDeps(), ticket.ticketId, memberId)),
    );
    expect(first?.ok).toBe(true);
    expect(second).toEqual({ ok: false, error: { code: 'SOLD_OUT' } });
    // A request that ends REJECTED: admitted while the stock count had lost the first admission.
    await redis.hdel(ticketKeys(prefix, ticket).members, String(memberIds[0]));
    const rejected = await submitIssueRequest(submitDeps(), ticket.ticketId, memberIds[1]!);
    if (!rejected.ok) throw new Error(rejected.error.code);
    expect(await drainTicket(drainDeps(), ticket, new AbortController().signal)).toBe('DRAINED');
    expect(await getIssueRequest(submitDeps(), rejected.value.request.requestId, 0)).toMatchObject({
      ok: true,
      value: { status: 'REJECTED' },
    });

    expect(await removeEndedState(retentionDeps(), ticket)).toBe('REMOVED');
    expect(await getIssueRequest(submitDeps(), rejected.value.request.requestId, 0)).toEqual({
      ok: false,
      error: { code: 'ISSUE_REQUEST_EXPIRED', owner: memberIds[1] },
    });
  }, 30_000);
});
