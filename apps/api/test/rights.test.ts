import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createPrisma, type PrismaClient } from '@ticketing/db';
import { createRedis, redisReady, type RedisClient } from '@ticketing/queue';
import { mintToken, TEST_REDIS_URL, testTokens } from '@ticketing/testkit';
import { call, type Answer } from './support/http.js';
import { startTestApi, TestWorker, type TestApi } from './support/testApi.js';

/**
 * G9 over HTTP, against the real app, MariaDB and Redis: every operation × every kind of caller
 * gets the status of the contract's rights table, in its order (401, then the request's shape,
 * then 403, then 404), and a refused request writes nothing (rows and Redis keys counted).
 */
let api: TestApi;
let worker: TestWorker;
let prisma: PrismaClient;
let redis: RedisClient;

const ids = { memberA: 0, memberB: 0, memberC: 0, ticket: 0, otherTicket: 0, requestA: '' };

type Caller = 'none' | 'forged' | 'expired' | 'wrongAudience' | 'algNone' | 'member' | 'otherMember' | 'staff' | 'admin';
const CALLERS: Caller[] = ['none', 'forged', 'expired', 'wrongAudience', 'algNone', 'member', 'otherMember', 'staff', 'admin'];
const UNAUTHENTICATED: Caller[] = ['none', 'forged', 'expired', 'wrongAudience', 'algNone'];
const tokens = {} as Record<Caller, string | null>;

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

beforeAll(async () => {
  api = await startTestApi();
  worker = await new TestWorker(api).ready();
  prisma = createPrisma(api.database.url);
  redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'rights-test');
  await redisReady(redis, 2000);

  const admin = { authorization: `Bearer ${await testTokens.admin()}` };
  const post = async (path: string, body: object) => (await call(api.url, 'POST', path, { body, headers: admin })).body;
  ids.memberA = (await post('/api/v1/members', { name: 'rights A' })).id;
  ids.memberB = (await post('/api/v1/members', { name: 'rights B' })).id;
  ids.memberC = (await post('/api/v1/members', { name: 'rights C' })).id;
  ids.ticket = (await post('/api/v1/tickets', { name: 'rights ticket', totalQuantity: 10 })).id;
  ids.otherTicket = (await post('/api/v1/tickets', { name: 'rights other ticket', totalQuantity: 10 })).id;
  // A cold app's first submission may miss its 600 ms deadline on a busy machine: ask again, as a client would.
  let submitted: Answer;
  for (let attempt = 1; ; attempt += 1) {
    submitted = await call(api.url, 'POST', `/api/v1/tickets/${ids.ticket}/issue-requests`, {
      body: {},
      token: await testTokens.member(ids.memberA),
    });
    if (submitted.status !== 503 || attempt === 5) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(submitted.status).toBe(202);
  ids.requestA = submitted.body.requestId;
  await worker.drain(ids.ticket);

  const now = Math.floor(Date.now() / 1000);
  tokens.none = null;
  tokens.forged = await mintToken({ memberId: ids.memberA, secret: 'not-the-secret-of-this-api-0123456789' });
  tokens.expired = await mintToken({ memberId: ids.memberA, ttlSeconds: -120 });
  tokens.wrongAudience = await mintToken({ memberId: ids.memberA, audience: 'another-service' });
  tokens.algNone = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: String(ids.memberA), role: 'member', aud: 'ticketing', exp: now + 600 })}.`;
  tokens.member = await testTokens.member(ids.memberA);
  tokens.otherMember = await testTokens.member(ids.memberB);
  tokens.staff = await testTokens.staff();
  tokens.admin = await testTokens.admin();
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await prisma?.$disconnect();
  await worker?.close();
  await api?.close();
});

/** Rows and Redis keys (with their sizes) of this suite: what a refused request must leave alone. */
async function written() {
  const [members, tickets, memberTickets, used, keys] = await Promise.all([
    prisma.member.count(),
    prisma.ticket.count(),
    prisma.memberTicket.count(),
    prisma.memberTicket.count({ where: { usedAt: { not: null } } }),
    redis.keys(`${api.prefix}:*`),
  ]);
  const sizes = await Promise.all(
    keys.sort().map(async (key) => {
      const type = await redis.type(key);
      const size =
        type === 'hash'
          ? await redis.hlen(key)
          : type === 'list'
            ? await redis.llen(key)
            : type === 'zset'
              ? await redis.zcard(key)
              : type === 'set'
                ? await redis.scard(key)
                : 1;
      return `${key}=${size}`;
    }),
  );
  return { members, tickets, memberTickets, used, redis: sizes };
}

let names = 0;

interface Operation {
  name: string;
  method: string;
  path: () => string;
  body?: () => unknown;
  /** The status each valid caller gets (the unauthenticated ones get 401 unless the operation is public). */
  expect: Partial<Record<Caller, number | number[]>>;
  public?: boolean;
  /** An event stream: only its status and headers are read, then the client leaves. */
  stream?: boolean;
}

const everyone = (status: number): Operation['expect'] => Object.fromEntries(CALLERS.map((caller) => [caller, status]));

const OPERATIONS: Operation[] = [
  { name: 'GET /tickets', method: 'GET', path: () => '/api/v1/tickets', public: true, expect: everyone(200) },
  { name: 'GET /tickets/{id}', method: 'GET', path: () => `/api/v1/tickets/${ids.ticket}`, public: true, expect: everyone(200) },
  { name: 'GET /healthz', method: 'GET', path: () => '/healthz', public: true, expect: everyone(200) },
  { name: 'GET /readyz', method: 'GET', path: () => '/readyz', public: true, expect: everyone(200) },
  { name: 'GET /openapi.json', method: 'GET', path: () => '/openapi.json', public: true, expect: everyone(200) },
  { name: 'GET /docs/', method: 'GET', path: () => '/docs/', public: true, expect: everyone(200) },
  {
    name: 'POST /tickets',
    method: 'POST',
    path: () => '/api/v1/tickets',
    body: () => ({ name: `rights created ticket ${++names}`, totalQuantity: 1 }),
    expect: { member: 403, otherMember: 403, staff: 403, admin: 201 },
  },
  {
    name: 'DELETE /tickets/{id} (one with issues: 409 once allowed)',
    method: 'DELETE',
    path: () => `/api/v1/tickets/${ids.ticket}`,
    expect: { member: 403, otherMember: 403, staff: 403, admin: 409 },
  },
  {
    name: 'GET /tickets/{id}/issues',
    method: 'GET',
    path: () => `/api/v1/tickets/${ids.ticket}/issues`,
    expect: { member: 403, otherMember: 403, staff: 200, admin: 200 },
  },
  {
    name: 'POST /tickets/{id}/issue-requests {memberId: A}',
    method: 'POST',
    path: () => `/api/v1/tickets/${ids.ticket}/issue-requests`,
    body: () => ({ memberId: ids.memberA }),
    // A already asked: 200 with its request. Nobody else may ask in A's name; staff and admin do not ask.
    expect: { member: 200, otherMember: 403, staff: 403, admin: 403 },
  },
  {
    name: 'POST /tickets/{id}/issue-requests {}',
    method: 'POST',
    path: () => `/api/v1/tickets/${ids.ticket}/issue-requests`,
    body: () => ({}),
    // {} is the token's own member: A has asked (200); B's would be a new request, so B is tried below.
    expect: { member: 200, staff: 403, admin: 403 },
  },
  {
    name: 'GET /issue-requests/{A’s}',
    method: 'GET',
    path: () => `/api/v1/issue-requests/${ids.requestA}`,
    expect: { member: 200, otherMember: 404, staff: 200, admin: 200 },
  },
  {
    name: 'GET /issue-requests/{A’s}?waitMs=5000',
    method: 'GET',
    path: () => `/api/v1/issue-requests/${ids.requestA}?waitMs=5000`,
    expect: { member: 200, otherMember: 404, staff: 200, admin: 200 },
  },
  {
    name: 'GET /issue-requests/{A’s}/events',
    method: 'GET',
    path: () => `/api/v1/issue-requests/${ids.requestA}/events`,
    stream: true,
    expect: { member: 200, otherMember: 404, staff: 200, admin: 200 },
  },
  {
    name: 'GET /tickets/{id}/events',
    method: 'GET',
    path: () => `/api/v1/tickets/${ids.ticket}/events`,
    stream: true,
    expect: { member: 403, otherMember: 403, staff: 200, admin: 200 },
  },
  {
    name: 'GET /issue-requests/{made up}',
    method: 'GET',
    path: () => '/api/v1/issue-requests/made-up-request',
    expect: { member: 404, otherMember: 404, staff: 404, admin: 404 },
  },
  {
    name: 'POST /members',
    method: 'POST',
    path: () => '/api/v1/members',
    body: () => ({ name: `rights created member ${++names}` }),
    expect: { member: 403, otherMember: 403, staff: 403, admin: 201 },
  },
  {
    name: 'GET /members',
    method: 'GET',
    path: () => '/api/v1/members',
    expect: { member: 403, otherMember: 403, staff: 403, admin: 200 },
  },
  {
    name: 'GET /members?name=',
    method: 'GET',
    path: () => '/api/v1/members?name=rights%20A',
    expect: { member: 403, otherMember: 403, staff: 403, admin: 200 },
  },
  {
    name: 'GET /members/{A}',
    method: 'GET',
    path: () => `/api/v1/members/${ids.memberA}`,
    expect: { member: 200, otherMember: 403, staff: 403, admin: 200 },
  },
  {
    name: 'GET /members/{A}/tickets',
    method: 'GET',
    path: () => `/api/v1/members/${ids.memberA}/tickets`,
    expect: { member: 200, otherMember: 403, staff: 200, admin: 200 },
  },
  {
    name: 'POST /members/{A}/tickets/{id}/use',
    method: 'POST',
    path: () => `/api/v1/members/${ids.memberA}/tickets/${ids.ticket}/use`,
    // The first of staff and admin uses it (200), the other finds it used (409).
    expect: { member: 403, otherMember: 403, staff: [200, 409], admin: [200, 409] },
  },
  { name: 'GET /metrics', method: 'GET', path: () => '/metrics', expect: { member: 403, otherMember: 403, staff: 403, admin: 200 } },
];

const CASES = OPERATIONS.flatMap((operation) =>
  CALLERS.filter((caller) => operation.public || UNAUTHENTICATED.includes(caller) || operation.expect[caller] !== undefined).map(
    (caller) => [operation.name, caller, operation] as const,
  ),
);

async function send(operation: Operation, caller: Caller): Promise<Answer> {
  if (operation.stream) return openStream(operation.path(), tokens[caller]);
  const body = operation.body?.();
  return call(api.url, operation.method, operation.path(), { token: tokens[caller], ...(body === undefined ? {} : { body }) });
}

/** An event stream's status (and a refusal's problem body); an open stream is left at once. */
async function openStream(path: string, token: string | null | undefined): Promise<Answer> {
  const controller = new AbortController();
  const startedAt = performance.now();
  const res = await fetch(`${api.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: controller.signal,
  });
  const streaming = (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
  const text = streaming ? '' : await res.text();
  controller.abort();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: text ? JSON.parse(text) : text,
    elapsedMs: performance.now() - startedAt,
  };
}

describe('every operation × every caller', () => {
  test.each(CASES)('%s as %s', async (_name, caller, operation) => {
    const before = await written();
    const res = await send(operation, caller);
    const expected = !operation.public && UNAUTHENTICATED.includes(caller) ? 401 : operation.expect[caller]!;
    if (Array.isArray(expected)) expect(expected).toContain(res.status);
    else expect(res.status).toBe(expected);

    if (res.status === 401) {
      expect(res.body.code).toBe('UNAUTHORIZED');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="ticketing"/);
    }
    if (res.status === 403) expect(res.body.code).toBe('FORBIDDEN');
    if (res.status === 404 && operation.path().includes('/issue-requests/')) expect(res.body.code).toBe('ISSUE_REQUEST_NOT_FOUND');
    if (res.status === 401 || res.status === 403 || res.status === 404) expect(await written()).toEqual(before);
  });

  test('every operation of the document is in this table', async () => {
    const document = (await call(api.url, 'GET', '/openapi.json')).body;
    for (const [template, methods] of Object.entries(document.paths as Record<string, object>)) {
      const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/?]+')}(\\?.*)?$`);
      for (const method of Object.keys(methods)) {
        const covered = OPERATIONS.some((operation) => operation.method === method.toUpperCase() && pattern.test(operation.path()));
        expect([method, template, covered]).toEqual([method, template, true]);
      }
    }
  });
});

describe('the order of the checks: 401, then the shape (400/413/415), then 403, then 404', () => {
  test('without a token, a body too large or of the wrong type is 401, not 413 or 415', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(20_000), totalQuantity: 1 });
    const json = { 'content-type': 'application/json' };
    expect((await call(api.url, 'POST', '/api/v1/tickets', { body: huge, headers: json, token: null })).status).toBe(401);
    expect((await call(api.url, 'POST', '/api/v1/tickets', { body: huge, headers: json, token: tokens.member })).status).toBe(413);
    const typed = { body: 'name=x', headers: { 'content-type': 'text/plain' } };
    expect((await call(api.url, 'POST', '/api/v1/tickets', { ...typed, token: null })).status).toBe(401);
    expect((await call(api.url, 'POST', '/api/v1/tickets', { ...typed, token: tokens.member })).status).toBe(415);
  });

  test('a member sending a malformed body gets 400, not 403; a well-formed one 403', async () => {
    const bad = await call(api.url, 'POST', '/api/v1/tickets', { body: { totalQuantity: 'many' }, token: tokens.member });
    expect({ status: bad.status, code: bad.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    const other = await call(api.url, 'POST', `/api/v1/tickets/${ids.ticket}/issue-requests`, {
      body: { memberId: 'B' },
      token: tokens.member,
    });
    expect(other.status).toBe(400);
  });

  test('403 comes before 404: a member asking for a member that does not exist is refused, an admin told it is not there', async () => {
    const missing = ids.memberC + 1000;
    expect((await call(api.url, 'GET', `/api/v1/members/${missing}`, { token: tokens.member })).status).toBe(403);
    expect((await call(api.url, 'GET', `/api/v1/members/${missing}`, { token: tokens.admin })).status).toBe(404);
    expect((await call(api.url, 'GET', `/api/v1/tickets/${ids.ticket + 1000}/issues`, { token: tokens.member })).status).toBe(403);
    expect((await call(api.url, 'GET', `/api/v1/tickets/${ids.ticket + 1000}/issues`, { token: tokens.staff })).status).toBe(404);
  });
});

describe('a member acts only for itself', () => {
  test('B cannot queue in C’s name: 403 and nothing queued; C’s own submission afterwards is 202, not 200', async () => {
    const path = `/api/v1/tickets/${ids.otherTicket}/issue-requests`;
    const before = await written();
    const refused = await call(api.url, 'POST', path, { body: { memberId: ids.memberC }, token: tokens.otherMember });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await written()).toEqual(before);

    const own = await call(api.url, 'POST', path, { body: {}, token: await testTokens.member(ids.memberC) });
    expect(own.status).toBe(202);
    expect(own.body.memberId).toBe(ids.memberC);
    const again = await call(api.url, 'POST', path, { body: { memberId: ids.memberC }, token: await testTokens.member(ids.memberC) });
    expect({ status: again.status, requestId: again.body.requestId }).toEqual({ status: 200, requestId: own.body.requestId });
  });

  test('a staff or admin token never submits, even naming a member', async () => {
    for (const token of [tokens.staff, tokens.admin]) {
      const res = await call(api.url, 'POST', `/api/v1/tickets/${ids.otherTicket}/issue-requests`, {
        body: { memberId: ids.memberB },
        token,
      });
      expect(res.status).toBe(403);
    }
  });
});

describe('the document', () => {
  test('names the bearer scheme, each operation’s security (public ones none) and its 401/403/429', async () => {
    const document = (await call(api.url, 'GET', '/openapi.json')).body;
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const submit = document.paths['/api/v1/tickets/{ticketId}/issue-requests'].post;
    expect(submit.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(submit.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
    expect(document.paths['/api/v1/tickets'].get.security).toEqual([]);
    expect(document.paths['/healthz'].get.security).toEqual([]);
    expect(document.paths['/metrics'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(document.paths['/api/v1/issue-requests/{requestId}'].get.responses)).toContain('401');
  });
});
