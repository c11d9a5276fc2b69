import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createPrisma, type PrismaClient } from '@ticketing/db';
import { createRedis, redisReady, type RedisClient } from '@ticketing/queue';
import fc from 'fast-check';
import { TEST_REDIS_URL } from '@ticketing/testkit';
import { call, client, type Client } from './support/http.js';
import { startTestApi, type TestApi } from './support/testApi.js';

/**
 * G7: bad input gets a 4xx problem, never a 5xx, and writes nothing: not a row in MySQL, not a
 * key in Redis.
 */
let api: TestApi;
let http: Client;
let prisma: PrismaClient;
let redis: RedisClient;
let memberId: number;
let ticketId: number;
let usedRequestId: string;

beforeAll(async () => {
  api = await startTestApi();
  http = client(api.url);
  prisma = createPrisma(api.database.url);
  redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'bad-input-test');
  await redisReady(redis, 2000);
  memberId = (await http.post('/api/v1/members', { name: 'existing member' })).body.id;
  ticketId = (await http.post('/api/v1/tickets', { name: 'existing ticket', totalQuantity: 5 })).body.id;
  usedRequestId = (await http.post(`/api/v1/tickets/${ticketId}/issue-requests`, { memberId })).body.requestId;
});

afterAll(async () => {
  redis?.disconnect();
  await prisma?.$disconnect();
  await api?.close();
});

/** Everything the system has written: row counts and the Redis keys under the suite's prefix. */
async function written() {
  const [members, tickets, memberTickets, keys] = await Promise.all([
    prisma.member.count(),
    prisma.ticket.count(),
    prisma.memberTicket.count(),
    redis.keys(`${api.prefix}:*`),
  ]);
  const sizes = await Promise.all(
    keys
      .sort()
      .map(
        async (key) =>
          `${key}=${await redis.type(key).then((type) => (type === 'hash' ? redis.hlen(key) : type === 'list' ? redis.llen(key) : type === 'set' ? redis.scard(key) : type === 'zset' ? redis.zcard(key) : 1))}`,
      ),
  );
  return { members, tickets, memberTickets, redis: sizes };
}

interface Case {
  name: string;
  method: string;
  path: string | (() => string);
  /** A value is sent as JSON; a string as it is (with `type`, default application/json). */
  body?: unknown;
  type?: string;
  status: number;
  code: string;
  /** The field the problem names, for validation failures. */
  field?: string;
}

const json = (body: unknown): Pick<Case, 'body'> => ({ body });
const tickets = '/api/v1/tickets';
const members = '/api/v1/members';
const submitTo = (id: string | number) => `/api/v1/tickets/${id}/issue-requests`;

const cases: Case[] = [
  // transport
  { name: 'malformed JSON', method: 'POST', path: members, body: '{"name":', status: 400, code: 'VALIDATION_FAILED', field: 'body' },
  { name: 'JSON that is not an object', method: 'POST', path: members, body: '"just a string"', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'JSON null', method: 'POST', path: members, body: 'null', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'JSON array', method: 'POST', path: members, ...json([{ name: 'x' }]), status: 400, code: 'VALIDATION_FAILED', field: 'body' },
  { name: 'no body at all', method: 'POST', path: members, status: 400, code: 'VALIDATION_FAILED', field: 'body' },
  {
    name: 'text/plain body',
    method: 'POST',
    path: members,
    body: '{"name":"x"}',
    type: 'text/plain',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'form body',
    method: 'POST',
    path: tickets,
    body: 'name=x&totalQuantity=1',
    type: 'application/x-www-form-urlencoded',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'non-JSON body on use',
    method: 'POST',
    path: () => `/api/v1/members/${memberId}/tickets/${ticketId}/use`,
    body: 'x',
    type: 'text/plain',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'body over 16 KiB',
    method: 'POST',
    path: members,
    ...json({ name: 'x'.repeat(16 * 1024) }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'submission over 16 KiB',
    method: 'POST',
    path: () => submitTo(ticketId),
    ...json({ memberId: 1, pad: ' '.repeat(20_000) }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },

  // members
  { name: 'member: missing name', method: 'POST', path: members, ...json({}), status: 400, code: 'VALIDATION_FAILED', field: 'body.name' },
  {
    name: 'member: empty name',
    method: 'POST',
    path: members,
    ...json({ name: '' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.name',
  },
  {
    name: 'member: blank name',
    method: 'POST',
    path: members,
    ...json({ name: ' \t ' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.name',
  },
  {
    name: 'member: 101 characters',
    method: 'POST',
    path: members,
    ...json({ name: 'a'.repeat(101) }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.name',
  },
  {
    name: 'member: number name',
    method: 'POST',
    path: members,
    ...json({ name: 42 }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.name',
  },
  {
    name: 'member: null name',
    method: 'POST',
    path: members,
    ...json({ name: null }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.name',
  },
  {
    name: 'member: control character',
    method: 'POST',
    path: members,
    ...json({ name: 'a\u0000b' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.name',
  },
  {
    name: 'member: unpaired surrogate',
    method: 'POST',
    path: members,
    body: '{"name":"a\\ud800b"}',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.name',
  },
  {
    name: 'member: unknown field',
    method: 'POST',
    path: members,
    ...json({ name: 'fresh', admin: true }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.admin',
  },
  {
    name: 'member: __proto__ field',
    method: 'POST',
    path: members,
    body: '{"name":"fresh","__proto__":{"x":1}}',
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.__proto__',
  },

  // tickets
  ...[0, -1, 1.5, '10', 10_000_001, null, true].map(
    (totalQuantity): Case => ({
      name: `ticket: totalQuantity ${JSON.stringify(totalQuantity)}`,
      method: 'POST',
      path: tickets,
      ...json({ name: 'fresh', totalQuantity }),
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'body.totalQuantity',
    }),
  ),
  {
    name: 'ticket: missing totalQuantity',
    method: 'POST',
    path: tickets,
    ...json({ name: 'fresh' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.totalQuantity',
  },
  {
    name: 'ticket: missing name',
    method: 'POST',
    path: tickets,
    ...json({ totalQuantity: 1 }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.name',
  },
  {
    name: 'ticket: name too long',
    method: 'POST',
    path: tickets,
    ...json({ name: '가'.repeat(101), totalQuantity: 1 }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.name',
  },
  {
    name: 'ticket: closeAt before openAt',
    method: 'POST',
    path: tickets,
    ...json({ name: 'fresh', totalQuantity: 1, openAt: '2030-01-02T00:00:00Z', closeAt: '2030-01-01T00:00:00Z' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.closeAt',
  },
  {
    name: 'ticket: closeAt equal to openAt',
    method: 'POST',
    path: tickets,
    ...json({ name: 'fresh', totalQuantity: 1, openAt: '2030-01-01T09:00:00+09:00', closeAt: '2030-01-01T00:00:00Z' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.closeAt',
  },
  {
    name: 'ticket: closeAt before the default openAt (now)',
    method: 'POST',
    path: tickets,
    ...json({ name: 'fresh', totalQuantity: 1, closeAt: '2020-01-01T00:00:00Z' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.closeAt',
  },
  {
    name: 'ticket: openAt without offset',
    method: 'POST',
    path: tickets,
    ...json({ name: 'fresh', totalQuantity: 1, openAt: '2030-01-01T00:00:00' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.openAt',
  },
  {
    name: 'ticket: openAt not a date',
    method: 'POST',
    path: tickets,
    ...json({ name: 'fresh', totalQuantity: 1, openAt: 'tomorrow' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.openAt',
  },
  {
    name: 'ticket: openAt impossible day',
    method: 'POST',
    path: tickets,
    ...json({ name: 'fresh', totalQuantity: 1, openAt: '2030-02-30T00:00:00Z' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.openAt',
  },
  {
    name: 'ticket: openAt in year 1',
    method: 'POST',
    path: tickets,
    ...json({ name: 'fresh', totalQuantity: 1, openAt: '0001-01-01T00:00:00Z' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.openAt',
  },
  {
    name: 'ticket: closeAt past year 9999 in UTC',
    method: 'POST',
    path: tickets,
    ...json({ name: 'fresh', totalQuantity: 1, closeAt: '9999-12-31T23:00:00-05:00' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.closeAt',
  },
  {
    name: 'ticket: openAt as epoch number',
    method: 'POST',
    path: tickets,
    ...json({ name: 'fresh', totalQuantity: 1, openAt: 1_700_000_000_000 }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.openAt',
  },
  {
    name: 'ticket: unknown field',
    method: 'POST',
    path: tickets,
    ...json({ name: 'fresh', totalQuantity: 1, issuedQuantity: 0 }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.issuedQuantity',
  },

  // ids in paths
  ...['0', '-1', 'abc', '1e3', '99999999999999999999', '01', '2147483648', '1.0', '%201', '0x10'].flatMap((id): Case[] => [
    {
      name: `GET ticket id ${id}`,
      method: 'GET',
      path: `${tickets}/${id}`,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'params.ticketId',
    },
    {
      name: `DELETE ticket id ${id}`,
      method: 'DELETE',
      path: `${tickets}/${id}`,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'params.ticketId',
    },
    {
      name: `GET member id ${id}`,
      method: 'GET',
      path: `${members}/${id}`,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'params.memberId',
    },
    {
      name: `submit to ticket id ${id}`,
      method: 'POST',
      path: submitTo(id),
      ...json({ memberId: 1 }),
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'params.ticketId',
    },
    {
      name: `use with member id ${id}`,
      method: 'POST',
      path: `${members}/${id}/tickets/1/use`,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'params.memberId',
    },
  ]),
  { name: 'malformed percent-encoding in a path', method: 'GET', path: `${tickets}/%E0%A4%A`, status: 400, code: 'VALIDATION_FAILED' },

  // submissions
  ...[0, -1, 1.5, '1', 2_147_483_648, null, [1], { id: 1 }].map(
    (value): Case => ({
      name: `submit: memberId ${JSON.stringify(value)}`,
      method: 'POST',
      path: () => submitTo(ticketId),
      ...json({ memberId: value }),
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'body.memberId',
    }),
  ),
  {
    // `{}` is a valid submission (the token's member) since issue 12; a null memberId is not.
    name: 'submit: null memberId',
    method: 'POST',
    path: () => submitTo(ticketId),
    ...json({ memberId: null }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.memberId',
  },
  {
    name: 'submit: unknown field',
    method: 'POST',
    path: () => submitTo(ticketId),
    ...json({ memberId: 1, priority: 1 }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.priority',
  },
  {
    name: 'submit: unknown member',
    method: 'POST',
    path: () => submitTo(ticketId),
    ...json({ memberId: 2_147_483_647 }),
    status: 404,
    code: 'MEMBER_NOT_FOUND',
  },
  {
    name: 'submit: unknown ticket',
    method: 'POST',
    path: submitTo(2_147_483_647),
    ...json({ memberId: 1 }),
    status: 404,
    code: 'TICKET_NOT_FOUND',
  },

  // queries
  ...['-1', '30001', '1.5', 'abc', '', '1e3', '007'].map(
    (waitMs): Case => ({
      name: `waitMs=${waitMs}`,
      method: 'GET',
      path: () => `/api/v1/issue-requests/${usedRequestId}?waitMs=${waitMs}`,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'query.waitMs',
    }),
  ),
  {
    name: 'waitMs given twice',
    method: 'GET',
    path: () => `/api/v1/issue-requests/${usedRequestId}?waitMs=1&waitMs=2`,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'query.waitMs',
  },
  {
    name: 'unknown query parameter',
    method: 'GET',
    path: () => `/api/v1/issue-requests/${usedRequestId}?wait=1`,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'query.wait',
  },
  {
    name: 'request id of 65 characters',
    method: 'GET',
    path: `/api/v1/issue-requests/${'1'.repeat(65)}`,
    status: 404,
    code: 'ISSUE_REQUEST_NOT_FOUND',
  },
  ...[
    'page=0',
    'page=-1',
    'page=x',
    'size=0',
    'size=101',
    'size=1.5',
    'page=2147483647&size=100',
    'sort=name',
    'name=',
    'name=%20%20',
    'name=x&page=1',
  ].flatMap((query): Case[] => [
    { name: `GET tickets?${query}`, method: 'GET', path: `${tickets}?${query}`, status: 400, code: 'VALIDATION_FAILED' },
    { name: `GET members?${query}`, method: 'GET', path: `${members}?${query}`, status: 400, code: 'VALIDATION_FAILED' },
  ]),
  {
    name: 'issues?size=1000',
    method: 'GET',
    path: () => `${tickets}/${ticketId}/issues?size=1000`,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'query.size',
  },
  {
    name: 'issues?name=x',
    method: 'GET',
    path: () => `${tickets}/${ticketId}/issues?name=x`,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'query.name',
  },
  {
    name: 'use: unknown body field',
    method: 'POST',
    path: () => `/api/v1/members/${memberId}/tickets/${ticketId}/use`,
    ...json({ force: true }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'body.force',
  },
];

describe('bad input: a 4xx problem, and nothing written', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = await written();
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (c.body !== undefined) {
      body = typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
      headers['content-type'] = c.type ?? 'application/json';
    }
    const path = typeof c.path === 'function' ? c.path() : c.path;
    const res = await call(api.url, c.method, path, { body, headers });

    expect({ status: res.status, code: res.body?.code }).toEqual({ status: c.status, code: c.code });
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    if (c.field) expect(res.body.errors.map((error: { path: string }) => error.path)).toContain(c.field);
    expect(await written()).toEqual(before);
  });
});

describe('bad input, generated', () => {
  const paths = () => [
    '/api/v1/members',
    '/api/v1/tickets',
    `/api/v1/tickets/${ticketId}/issue-requests`,
    `/api/v1/members/${memberId}/tickets/${ticketId}/use`,
  ];

  test('no JSON body, whatever it holds, gets a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths()), fc.jsonValue(), async (path, value) => {
        const res = await call(api.url, 'POST', path, { body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });

  test('no object with the expected keys but arbitrary values gets a 5xx', async () => {
    const anything = fc.oneof(fc.jsonValue(), fc.string({ unit: 'binary' }), fc.double(), fc.integer({ min: -(2 ** 53), max: 2 ** 53 }));
    await fc.assert(
      fc.asyncProperty(
        fc.record({ name: anything, totalQuantity: anything, openAt: anything, closeAt: anything }, { requiredKeys: [] }),
        async (body) => {
          const res = await call(api.url, 'POST', '/api/v1/tickets', {
            body: JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          });
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.record({ name: anything }), async (body) => {
        const res = await call(api.url, 'POST', '/api/v1/members', {
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
  });

  test('no path segment or query string gets a 5xx', async () => {
    const segment = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.integer().map(String),
      fc.constantFrom('%', '%00', '..', '%2F'),
    );
    await fc.assert(
      fc.asyncProperty(segment, segment, async (id, query) => {
        const encoded = encodeURIComponent(id.replace(/[\ud800-\udfff]/g, '')) || 'x';
        for (const path of [
          `/api/v1/tickets/${encoded}`,
          `/api/v1/issue-requests/${encoded}?waitMs=${encodeURIComponent(query.replace(/[\ud800-\udfff]/g, ''))}`,
          `/api/v1/tickets?name=${encoded}`,
        ]) {
          const res = await call(api.url, 'GET', path);
          expect(res.status).toBeLessThan(500);
        }
      }),
      { numRuns: 200 },
    );
  });
});
