import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  createTestDatabase,
  PrivateRedis,
  removeRedisPrefix,
  startApi,
  TEST_REDIS_URL,
  testTokens,
  uniqueRedisPrefix,
  type ApiProcess,
  type TestDatabase,
} from '@ticketing/testkit';
import { call, type Answer } from './support/http.js';
import { startTestApi, type TestApi } from './support/testApi.js';

/**
 * G10's rate limits wired into the API: RATE_SUBMIT_PER_MEMBER counted in Redis for every API
 * process, RATE_PER_IP by the client address (X-Forwarded-For only behind TRUST_PROXY), 429
 * RATE_LIMITED with Retry-After and the RateLimit headers, and per process within a second
 * while Redis is down (G8).
 */
let api: TestApi;
let names = 0;

beforeAll(async () => {
  api = await startTestApi();
}, 60_000);

afterAll(async () => {
  await api?.close();
});

async function newMember(): Promise<number> {
  return (await call(api.url, 'POST', '/api/v1/members', { body: { name: `limited member ${++names}` } })).body.id;
}

async function newTicket(): Promise<number> {
  return (await call(api.url, 'POST', '/api/v1/tickets', { body: { name: `limited ticket ${++names}`, totalQuantity: 100 } })).body.id;
}

function expectLimited(res: Answer, policy: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  expect(res.headers.get('ratelimit-policy')).toContain(policy);
  expect(res.headers.get('ratelimit')).toMatch(/r=0/);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

/** A submission with the member's own token. */
async function submit(base: string, ticketId: number, memberId: number, body: object = {}): Promise<Answer> {
  const token = await testTokens.member(memberId);
  return call(base, 'POST', `/api/v1/tickets/${ticketId}/issue-requests`, { body, token });
}

describe('RATE_SUBMIT_PER_MEMBER across two API processes', () => {
  let database: TestDatabase;
  const prefix = uniqueRedisPrefix('limits');
  const apis: ApiProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, RATE_SUBMIT_PER_MEMBER: '3' };
    apis.push(
      ...(await Promise.all([
        startApi(env, { name: 'api-1', readyPath: '/readyz' }),
        startApi(env, { name: 'api-2', readyPath: '/readyz' }),
      ])),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(apis.map((started) => started.stop()));
    await removeRedisPrefix(prefix);
    await database?.drop();
  });

  test('the fourth submission of a member within the minute is 429 on either process; another member is served; a 403 counts nothing', async () => {
    const [one, two] = apis.map((started) => started.url) as [string, string];
    const admin = { authorization: `Bearer ${await testTokens.admin()}` };
    const create = async (path: string, body: object) => (await call(one, 'POST', path, { body, headers: admin })).body.id as number;
    const ticketId = await create('/api/v1/tickets', { name: 'limited drop', totalQuantity: 100 });
    const [memberId, otherId, thirdId] = [
      await create('/api/v1/members', { name: 'limited one' }),
      await create('/api/v1/members', { name: 'limited two' }),
      await create('/api/v1/members', { name: 'limited three' }),
    ] as [number, number, number];

    // Refused by the rule (another member's id): counted nowhere.
    for (let n = 0; n < 3; n += 1) expect((await submit(one, ticketId, memberId, { memberId: otherId })).status).toBe(403);

    const answers: number[] = [];
    for (const base of [one, two, one]) {
      let res = await submit(base, ticketId, memberId);
      for (let retry = 0; res.status === 503 && retry < 5; retry += 1) res = await submit(base, ticketId, memberId); // a cold process's first queueing
      answers.push(res.status);
      expect(res.headers.get('ratelimit-policy')).toBe('"member";q=3;w=60');
    }
    expect(answers[0]).toBe(202);
    expect(answers.slice(1)).toEqual([200, 200]);
    expectLimited(await submit(two, ticketId, memberId), '"member";q=3;w=60');
    expectLimited(await submit(one, ticketId, memberId), '"member";q=3;w=60');

    expect((await submit(two, ticketId, thirdId)).status).toBe(202);
    // The other member's 403s above counted nothing against it either.
    expect((await submit(one, ticketId, otherId)).status).toBe(202);

    const metrics =
      (await call(one, 'GET', '/metrics', { headers: admin })).text + (await call(two, 'GET', '/metrics', { headers: admin })).text;
    expect(metrics).toMatch(/http_rate_limited_total\{limit="member"\} [1-9]/);
  }, 60_000);
});

describe('RATE_PER_IP', () => {
  let proxied: TestApi;
  let direct: TestApi;

  beforeAll(async () => {
    const shared = { database: api.database, prefix: api.prefix };
    proxied = await startTestApi(
      { RATE_PER_IP: '3', TRUST_PROXY: 'loopback' },
      {
        ...shared,
        prefix: `${api.prefix}-proxied`,
      },
    );
    direct = await startTestApi({ RATE_PER_IP: '3' }, { ...shared, prefix: `${api.prefix}-direct` });
  });

  afterAll(async () => {
    await proxied?.close();
    await direct?.close();
    await removeRedisPrefix(`${api.prefix}-proxied`);
    await removeRedisPrefix(`${api.prefix}-direct`);
  });

  const from = (address: string, token: string | null = null) => ({ headers: { 'x-forwarded-for': address }, token });

  test('behind TRUST_PROXY, a flood from one address is limited (before the token is read) while another address is served', async () => {
    for (let n = 0; n < 3; n += 1) expect((await call(proxied.url, 'GET', '/api/v1/tickets', from('203.0.113.7'))).status).toBe(200);
    expectLimited(await call(proxied.url, 'GET', '/api/v1/tickets', from('203.0.113.7')), '"ip";q=3;w=60');
    // No token at all: still 429 (the per-IP limit comes before authentication), not 401.
    expectLimited(await call(proxied.url, 'POST', '/api/v1/tickets', { ...from('203.0.113.7'), body: {} }), '"ip";q=3;w=60');

    const other = await call(proxied.url, 'GET', '/api/v1/tickets', from('203.0.113.8'));
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit')).toMatch(/^"ip";r=2;t=\d+$/);
    // Outside /api/v1 nothing is counted.
    expect((await call(proxied.url, 'GET', '/healthz', from('203.0.113.7'))).status).toBe(200);
    const metrics = await call(proxied.url, 'GET', '/metrics', from('203.0.113.9', await testTokens.admin()));
    expect(metrics.text).toMatch(/http_rate_limited_total\{limit="ip"\} 2/);
  });

  test('without TRUST_PROXY a spoofed X-Forwarded-For changes nothing: the socket’s address is counted', async () => {
    for (let n = 0; n < 3; n += 1) expect((await call(direct.url, 'GET', '/api/v1/tickets', from(`198.51.100.${n}`))).status).toBe(200);
    expectLimited(await call(direct.url, 'GET', '/api/v1/tickets', from('198.51.100.99')), '"ip";q=3;w=60');
  });
});

describe('with Redis down, the limits are kept per process and answer within a second (G8)', () => {
  let redis: PrivateRedis;
  let down: TestApi;

  beforeAll(async () => {
    redis = await PrivateRedis.start('none');
    down = await startTestApi(
      { REDIS_URL: redis.url, RATE_PER_IP: '3', RATE_SUBMIT_PER_MEMBER: '1' },
      { database: api.database, prefix: `${api.prefix}-down` },
    );
  }, 30_000);

  afterAll(async () => {
    await down?.close();
    await redis?.destroy();
  });

  test('a member’s second submission is 429, the address’s fourth request is 429, each within 1 s', async () => {
    const [ticketId, memberId] = [await newTicket(), await newMember()];
    await redis.kill();

    const first = await submit(down.url, ticketId, memberId);
    expect({ status: first.status, code: first.body.code }).toEqual({ status: 503, code: 'QUEUE_UNAVAILABLE' });
    expect(first.elapsedMs).toBeLessThan(1000);
    const second = await submit(down.url, ticketId, memberId);
    expectLimited(second, '"member";q=1;w=60');
    expect(second.elapsedMs).toBeLessThan(1000);

    const read = await call(down.url, 'GET', `/api/v1/tickets/${ticketId}`);
    expect(read.status).toBe(200);
    expect(read.elapsedMs).toBeLessThan(1000);
    const flood = await call(down.url, 'GET', `/api/v1/tickets/${ticketId}`);
    expectLimited(flood, '"ip";q=3;w=60');
    expect(flood.elapsedMs).toBeLessThan(1000);
  }, 30_000);
});
