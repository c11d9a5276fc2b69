import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createRedis, redisReady, type RedisClient } from '@ticketing/queue';
import {
  createTestDatabase,
  removeRedisPrefix,
  startApi,
  TEST_REDIS_URL,
  testTokens,
  uniqueRedisPrefix,
  waitUntil,
  type ApiProcess,
  type TestDatabase,
} from '@ticketing/testkit';
import { call, type Answer } from './support/http.js';
import { startTestApi, type TestApi } from './support/testApi.js';

/**
 * The Limits section's watch caps on held long-polls: WATCH_PER_MEMBER shared by every API
 * process (a slot is given back when the client leaves, and a killed process's slots end with
 * their leases), WATCH_MAX per process (past it a poll is answered at once). No worker runs, so
 * every request stays PENDING and every wait is held until it ends.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface HeldPoll {
  abort(): void;
  /** Settles when the poll is answered (its status) or dropped (null). */
  settled: Promise<number | null>;
}

function holdPoll(base: string, requestId: string, waitMs: number, token: string): HeldPoll {
  const controller = new AbortController();
  const settled = fetch(`${base}/api/v1/issue-requests/${encodeURIComponent(requestId)}?waitMs=${waitMs}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  }).then(
    async (res) => {
      await res.arrayBuffer();
      return res.status;
    },
    () => null,
  );
  return { abort: () => controller.abort(), settled };
}

function poll(base: string, requestId: string, waitMs: number, token: string): Promise<Answer> {
  return call(base, 'GET', `/api/v1/issue-requests/${encodeURIComponent(requestId)}?waitMs=${waitMs}`, { token });
}

function expectWatchLimited(res: Answer): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(res.headers.get('ratelimit-policy')).toBe('"watch";q=3');
  expect(res.elapsedMs).toBeLessThan(1_000);
}

describe('WATCH_PER_MEMBER (default 3) across two API processes', () => {
  let database: TestDatabase;
  const prefix = uniqueRedisPrefix('watch');
  let redis: RedisClient;
  let one: ApiProcess;
  let two: ApiProcess;
  let ticketId: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
    [one, two] = await Promise.all([
      startApi(env, { name: 'api-1', readyPath: '/readyz' }),
      startApi(env, { name: 'api-2', readyPath: '/readyz' }),
    ]);
    redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'watch-test');
    await redisReady(redis, 2000);
    const created = await call(one.url, 'POST', '/api/v1/tickets', { body: { name: 'watched drop', totalQuantity: 10 } });
    ticketId = created.body.id;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([one, two].map((api) => api?.stop()));
    redis?.disconnect();
    await removeRedisPrefix(prefix);
    await database?.drop();
  });

  /** A member with a PENDING request of the drop, and its token. */
  async function pendingMember(name: string): Promise<{ memberId: number; requestId: string; token: string }> {
    const memberId = (await call(one.url, 'POST', '/api/v1/members', { body: { name } })).body.id as number;
    const token = await testTokens.member(memberId);
    let res = await call(one.url, 'POST', `/api/v1/tickets/${ticketId}/issue-requests`, { body: {}, token });
    for (let retry = 0; res.status === 503 && retry < 5; retry += 1) {
      res = await call(one.url, 'POST', `/api/v1/tickets/${ticketId}/issue-requests`, { body: {}, token });
    }
    expect(res.status).toBe(202);
    return { memberId, requestId: res.body.requestId, token };
  }

  const heldSlots = (memberId: number) => redis.zcard(`${prefix}:watch:{m${memberId}}`);

  test('three held polls on one process: the fourth, on the other, is 429 at once; a client that leaves frees its slot', async () => {
    const { memberId, requestId, token } = await pendingMember('watching member');
    const held = [1, 2, 3].map(() => holdPoll(one.url, requestId, 20_000, token));
    await waitUntil(async () => (await heldSlots(memberId)) === 3, 'three polls held', 5_000, 20);

    expectWatchLimited(await poll(two.url, requestId, 20_000, token));
    expectWatchLimited(await poll(one.url, requestId, 20_000, token));
    // A poll that does not wait holds nothing and is never refused for it.
    expect((await poll(two.url, requestId, 0, token)).body.status).toBe('PENDING');
    // Another member's waits are its own.
    const other = await pendingMember('another watching member');
    const othersPoll = await poll(two.url, other.requestId, 300, other.token);
    expect({ status: othersPoll.status, state: othersPoll.body.status }).toEqual({ status: 200, state: 'PENDING' });

    held[0]!.abort();
    expect(await held[0]!.settled).toBeNull();
    await waitUntil(async () => (await heldSlots(memberId)) === 2, 'the left poll gave its slot back', 5_000, 20);
    const next = await poll(two.url, requestId, 500, token);
    expect({ status: next.status, state: next.body.status }).toEqual({ status: 200, state: 'PENDING' });
    expect(next.elapsedMs).toBeGreaterThanOrEqual(450); // it was held, not refused or answered at once

    const metrics = (await call(two.url, 'GET', '/metrics')).text + (await call(one.url, 'GET', '/metrics')).text;
    expect(metrics).toMatch(/http_rate_limited_total\{limit="watch"\} [1-9]/);
    for (const poll of held.slice(1)) poll.abort();
    await waitUntil(async () => (await heldSlots(memberId)) === 0, 'every slot given back', 5_000, 20);
  }, 60_000);

  test('the slots of a killed process end with their leases: the member is held back until then, not for ever', async () => {
    const { memberId, requestId, token } = await pendingMember('member of a killed process');
    const held = [1, 2, 3].map(() => holdPoll(one.url, requestId, 2_000, token));
    await waitUntil(async () => (await heldSlots(memberId)) === 3, 'three polls held', 5_000, 20);
    one.signal('SIGKILL');
    await Promise.all(held.map((poll) => poll.settled));
    const killedAt = performance.now();

    expectWatchLimited(await poll(two.url, requestId, 500, token));
    // Each lease is the wait (2 s) plus a margin for the answer; then the slots are free.
    let answer = await poll(two.url, requestId, 100, token);
    while (answer.status === 429 && performance.now() - killedAt < 15_000) {
      await sleep(250);
      answer = await poll(two.url, requestId, 100, token);
    }
    expect({ status: answer.status, state: answer.body.status }).toEqual({ status: 200, state: 'PENDING' });
    expect(performance.now() - killedAt).toBeGreaterThan(1_000);
  }, 60_000);
});

describe('WATCH_MAX', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ WATCH_MAX: '2' });
  }, 60_000);

  afterAll(async () => {
    await api?.close();
  });

  test('past it, a poll is answered at once without waiting; a held one that ends makes room again', async () => {
    const ticketId = (await call(api.url, 'POST', '/api/v1/tickets', { body: { name: 'crowded drop', totalQuantity: 5 } })).body.id;
    const memberId = (await call(api.url, 'POST', '/api/v1/members', { body: { name: 'crowded member' } })).body.id;
    const token = await testTokens.member(memberId);
    const submitted = await call(api.url, 'POST', `/api/v1/tickets/${ticketId}/issue-requests`, { body: {}, token });
    expect(submitted.status).toBe(202);
    const { requestId } = submitted.body;
    const staff = await testTokens.staff();

    const held = [1, 2].map(() => holdPoll(api.url, requestId, 20_000, staff));
    await sleep(500);
    const early = await Promise.race([Promise.all(held.map((poll) => poll.settled)), sleep(10).then(() => 'waiting')]);
    expect(early).toBe('waiting');

    const third = await poll(api.url, requestId, 20_000, staff);
    expect({ status: third.status, state: third.body.status, memberId: third.body.memberId }).toEqual({
      status: 200,
      state: 'PENDING',
      memberId,
    });
    expect(third.elapsedMs).toBeLessThan(5_000);

    held[0]!.abort();
    await held[0]!.settled;
    await sleep(100);
    const fourth = await poll(api.url, requestId, 600, staff);
    expect(fourth.elapsedMs).toBeGreaterThanOrEqual(550); // held again: there was room
    held[1]!.abort();
  }, 60_000);
});
