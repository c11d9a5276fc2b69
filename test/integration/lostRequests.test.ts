import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { getIssueRequest, StoreUnavailableError, submitIssueRequest, systemClock, ticketRef, type IssueRequestDeps } from '@ticketing/core';
import { createPrisma, PrismaMemberStore, PrismaTicketStore, type PrismaClient } from '@ticketing/db';
import { createRedis, redisReady, RedisSubmissionQueue, ticketKeys, type RedisClient } from '@ticketing/queue';
import { createTestDatabase, removeRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix, type TestDatabase } from '@ticketing/testkit';

/**
 * Requests Redis forgot part of: what a member sees when polling and when asking again. A
 * failover that lost the newest writes, or an API that died between admitting a member and
 * adding the job, leaves the member's admission without its job.
 */
const prefix = uniqueRedisPrefix();
let database: TestDatabase;
let prisma: PrismaClient;
let redis: RedisClient;
let queue: RedisSubmissionQueue;
let deps: IssueRequestDeps;
let ticketId: number;
let generation: string;
let memberIds: number[];

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url);
  redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'lost-requests-test');
  await redisReady(redis, 2000);
  queue = new RedisSubmissionQueue(redis, { prefix });
  const tickets = new PrismaTicketStore(prisma);
  deps = { tickets, freshTickets: tickets, members: new PrismaMemberStore(prisma), queue, clock: systemClock };
  const created = await tickets.createTicket({ name: 'lost', totalQuantity: 10, openAt: new Date(0), closeAt: null });
  if (!created.ok) throw new Error(created.error.code);
  ticketId = created.value.id;
  generation = created.value.generation;
  await prisma.member.createMany({ data: Array.from({ length: 3 }, (_, n) => ({ name: `lost-${n}` })) });
  memberIds = (await prisma.member.findMany({ orderBy: { id: 'asc' }, select: { id: true } })).map((m) => m.id);
}, 60_000);

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await prisma?.$disconnect();
  await removeRedisPrefix(prefix);
  await database?.drop();
});

async function submit(memberId: number) {
  const result = await submitIssueRequest(deps, ticketId, memberId);
  if (!result.ok) throw new Error(result.error.code);
  return result.value;
}

async function poll(requestId: string) {
  const result = await getIssueRequest(deps, requestId, 0);
  if (!result.ok) throw new Error(result.error.code);
  return result.value;
}

async function jobExists(requestId: string): Promise<boolean> {
  return (await redis.exists(ticketKeys(prefix, ticketRef(ticketId, generation)).jobPrefix + requestId)) === 1;
}

describe('requests Redis lost part of', () => {
  test('job lost, admission kept: polls FAILED QUEUE_DATA_LOST; asking again revives the same request id', async () => {
    const first = await submit(memberIds[0]!);
    const requestId = first.request.requestId;
    const keys = ticketKeys(prefix, ticketRef(ticketId, generation));
    await redis.del(keys.jobPrefix + requestId);
    await redis.lrem(keys.wait, 0, requestId);

    expect(await poll(requestId)).toMatchObject({ status: 'FAILED', reason: 'QUEUE_DATA_LOST', memberId: memberIds[0] });
    const again = await submit(memberIds[0]!);
    expect(again).toMatchObject({ created: false, request: { requestId, status: 'PENDING' } });
    expect(await jobExists(requestId)).toBe(true);
    expect(await poll(requestId)).toMatchObject({ status: 'PENDING' });
  });

  test('admitted but never enqueued (the API died in between): asking again enqueues that same request', async () => {
    const admission = await queue.admit({
      ticketId,
      generation,
      memberId: memberIds[1]!,
      totalQuantity: 10,
      window: 'OPEN',
      acceptedAt: Date.now(),
    });
    if (admission.kind !== 'ADMITTED') throw new Error(admission.kind);
    const again = await submit(memberIds[1]!);
    expect(again).toMatchObject({ created: false, request: { requestId: admission.request.requestId, status: 'PENDING' } });
    expect(await jobExists(admission.request.requestId)).toBe(true);
  });

  test('job lost while the database is away too: asking again still revives the request (no 503)', async () => {
    const first = await submit(memberIds[0]!);
    const keys = ticketKeys(prefix, ticketRef(ticketId, generation));
    await redis.del(keys.jobPrefix + first.request.requestId);
    await redis.lrem(keys.wait, 0, first.request.requestId);
    const databaseAway: IssueRequestDeps = {
      ...deps,
      tickets: {
        findTicket: deps.tickets.findTicket.bind(deps.tickets),
        findIssueByRequestId: () => Promise.reject(new StoreUnavailableError(new Error('down'))),
        findIssueOfMember: () => Promise.reject(new StoreUnavailableError(new Error('down'))),
      },
    };
    const again = await submitIssueRequest(databaseAway, ticketId, memberIds[0]!);
    expect(again).toMatchObject({
      ok: true,
      value: { created: false, request: { requestId: first.request.requestId, status: 'PENDING' } },
    });
    expect(await jobExists(first.request.requestId)).toBe(true);
  });

  test('admission and job both lost: the member gets a new request; the old id still polls QUEUE_DATA_LOST', async () => {
    const first = await submit(memberIds[2]!);
    const keys = ticketKeys(prefix, ticketRef(ticketId, generation));
    await redis.del(keys.jobPrefix + first.request.requestId);
    await redis.lrem(keys.wait, 0, first.request.requestId);
    await redis.hdel(keys.members, String(memberIds[2]));

    const again = await submit(memberIds[2]!);
    expect(again.created).toBe(true);
    expect(again.request.requestId).not.toBe(first.request.requestId);
    expect(await poll(first.request.requestId)).toMatchObject({ status: 'FAILED', reason: 'QUEUE_DATA_LOST' });
  });
});
