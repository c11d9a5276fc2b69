import { describe, expect, test } from '@jest/globals';
import { ticketKeys } from '@ticketing/queue';
import type { Answer } from './support/http.js';
import { useTestSuite } from './support/testApi.js';

/** Every refusal `code` of the table in docs/CONTRACT.md (and of the transport), as RFC 9457 problems. */
const suite = useTestSuite();
let names = 0;
const unique = (stem: string) => `${stem}-${++names}`;

function expectProblem(res: Answer, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    type: expect.stringContaining(':'),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
  });
  expect(typeof res.body.instance).toBe('string');
}

async function newMember() {
  return (await suite.http.post('/api/v1/members', { name: unique('member') })).body as { id: number; name: string };
}

async function newTicket(fields: Record<string, unknown> = {}) {
  const res = await suite.http.post('/api/v1/tickets', { name: unique('ticket'), totalQuantity: 10, ...fields });
  expect(res.status).toBe(201);
  return res.body as { id: number; name: string };
}

const submit = (ticketId: number, memberId: number) => suite.http.post(`/api/v1/tickets/${ticketId}/issue-requests`, { memberId });

describe('404s', () => {
  test('MEMBER_NOT_FOUND: by id, by name, for its tickets, and when asking for a ticket', async () => {
    expectProblem(await suite.http.get('/api/v1/members/2147483647'), 404, 'MEMBER_NOT_FOUND');
    expectProblem(await suite.http.get('/api/v1/members?name=nobody-at-all'), 404, 'MEMBER_NOT_FOUND');
    expectProblem(await suite.http.get('/api/v1/members/2147483647/tickets'), 404, 'MEMBER_NOT_FOUND');
    const ticket = await newTicket();
    expectProblem(await submit(ticket.id, 2147483647), 404, 'MEMBER_NOT_FOUND');
  });

  test('TICKET_NOT_FOUND: by id, by name, for its issues, on delete, and when asking for it', async () => {
    expectProblem(await suite.http.get('/api/v1/tickets/2147483647'), 404, 'TICKET_NOT_FOUND');
    expectProblem(await suite.http.get('/api/v1/tickets?name=no-such-ticket'), 404, 'TICKET_NOT_FOUND');
    expectProblem(await suite.http.get('/api/v1/tickets/2147483647/issues'), 404, 'TICKET_NOT_FOUND');
    expectProblem(await suite.http.delete('/api/v1/tickets/2147483647'), 404, 'TICKET_NOT_FOUND');
    const member = await newMember();
    expectProblem(await submit(2147483647, member.id), 404, 'TICKET_NOT_FOUND');
  });

  test('ISSUE_REQUEST_NOT_FOUND: unknown ids, odd ids and absurdly long ids', async () => {
    for (const id of ['1-doesnotexist', 'abc', 'x'.repeat(65), encodeURIComponent('a b/c'), '999999']) {
      expectProblem(await suite.http.get(`/api/v1/issue-requests/${id}`), 404, 'ISSUE_REQUEST_NOT_FOUND');
    }
    expectProblem(await suite.http.get('/api/v1/issue-requests/1-doesnotexist?waitMs=200'), 404, 'ISSUE_REQUEST_NOT_FOUND');
  });

  test('MEMBER_TICKET_NOT_FOUND: using a ticket the member does not hold', async () => {
    const member = await newMember();
    const ticket = await newTicket();
    expectProblem(await suite.http.post(`/api/v1/members/${member.id}/tickets/${ticket.id}/use`), 404, 'MEMBER_TICKET_NOT_FOUND');
    expectProblem(await suite.http.post(`/api/v1/members/2147483647/tickets/2147483647/use`), 404, 'MEMBER_TICKET_NOT_FOUND');
  });

  test('NOT_FOUND: a path that is no route', async () => {
    expectProblem(await suite.http.get('/api/v1/nothing-here'), 404, 'NOT_FOUND');
    expectProblem(await suite.http.post('/api/v2/members', { name: 'x' }), 404, 'NOT_FOUND');
  });
});

describe('409s', () => {
  test('MEMBER_NAME_TAKEN and TICKET_NAME_TAKEN', async () => {
    const member = await newMember();
    expectProblem(await suite.http.post('/api/v1/members', { name: member.name }), 409, 'MEMBER_NAME_TAKEN');
    expectProblem(await suite.http.post('/api/v1/members', { name: `  ${member.name} ` }), 409, 'MEMBER_NAME_TAKEN');
    const ticket = await newTicket();
    expectProblem(await suite.http.post('/api/v1/tickets', { name: ticket.name, totalQuantity: 1 }), 409, 'TICKET_NAME_TAKEN');
  });

  test('NOT_OPEN: openAt in the future; nothing is queued', async () => {
    const ticket = await newTicket({ openAt: new Date(Date.now() + 3_600_000).toISOString() });
    const member = await newMember();
    expectProblem(await submit(ticket.id, member.id), 409, 'NOT_OPEN');
    expect(await suite.worker.redis.llen(ticketKeys(suite.api.prefix, await suite.worker.ref(ticket.id)).wait)).toBe(0);
  });

  test('CLOSED: closeAt in the past; nothing is queued', async () => {
    const ticket = await newTicket({ openAt: '2020-01-01T00:00:00+09:00', closeAt: '2020-12-31T00:00:00+09:00' });
    const member = await newMember();
    expectProblem(await submit(ticket.id, member.id), 409, 'CLOSED');
    expect(await suite.worker.redis.llen(ticketKeys(suite.api.prefix, await suite.worker.ref(ticket.id)).wait)).toBe(0);
  });

  test('SOLD_OUT is known at once once a worker has sold the ticket out; the holder still gets 200', async () => {
    const ticket = await newTicket({ totalQuantity: 1 });
    const [winner, late] = [await newMember(), await newMember()];
    expect((await submit(ticket.id, winner.id)).status).toBe(202);
    await suite.worker.drain(ticket.id);

    const refused = await submit(ticket.id, late.id);
    expectProblem(refused, 409, 'SOLD_OUT');
    expect(refused.elapsedMs).toBeLessThan(1000);
    expect(await suite.worker.redis.llen(ticketKeys(suite.api.prefix, await suite.worker.ref(ticket.id)).wait)).toBe(0);

    const again = await submit(ticket.id, winner.id);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'ISSUED', issueNumber: 1 });
  });

  test('TICKET_HAS_ISSUES: a ticket someone holds cannot be deleted', async () => {
    const ticket = await newTicket({ totalQuantity: 1 });
    const member = await newMember();
    await submit(ticket.id, member.id);
    await suite.worker.drain(ticket.id);
    expectProblem(await suite.http.delete(`/api/v1/tickets/${ticket.id}`), 409, 'TICKET_HAS_ISSUES');
    expect((await suite.http.get(`/api/v1/tickets/${ticket.id}`)).status).toBe(200);
  });

  test('ALREADY_USED: a ticket is used once', async () => {
    const ticket = await newTicket({ totalQuantity: 1 });
    const member = await newMember();
    await submit(ticket.id, member.id);
    await suite.worker.drain(ticket.id);
    expect((await suite.http.post(`/api/v1/members/${member.id}/tickets/${ticket.id}/use`)).status).toBe(200);
    expectProblem(await suite.http.post(`/api/v1/members/${member.id}/tickets/${ticket.id}/use`), 409, 'ALREADY_USED');
  });
});

describe('transport', () => {
  test('VALIDATION_FAILED lists each refused field under errors', async () => {
    const res = await suite.http.post('/api/v1/tickets', { name: '', totalQuantity: '10', extra: true });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['body.extra', 'body.name', 'body.totalQuantity']);
    for (const error of res.body.errors) expect(error.message).toEqual(expect.any(String));
  });

  test('METHOD_NOT_ALLOWED names the allowed methods; OPTIONS answers them', async () => {
    const res = await suite.http.call('PUT', '/api/v1/tickets/1', { body: {} });
    expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.get('allow')).toBe('GET, HEAD, DELETE, OPTIONS');
    expectProblem(await suite.http.delete('/api/v1/members'), 405, 'METHOD_NOT_ALLOWED');
    expectProblem(await suite.http.get('/api/v1/tickets/1/issue-requests'), 405, 'METHOD_NOT_ALLOWED');
    const options = await suite.http.call('OPTIONS', '/api/v1/tickets');
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('POST, GET, HEAD, OPTIONS');
  });

  test('PAYLOAD_TOO_LARGE past 16 KiB, UNSUPPORTED_MEDIA_TYPE for a non-JSON body', async () => {
    expectProblem(await suite.http.post('/api/v1/members', { name: 'x'.repeat(17 * 1024) }), 413, 'PAYLOAD_TOO_LARGE');
    expectProblem(
      await suite.http.post('/api/v1/members', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  test('Korean by default, English when Accept-Language prefers it', async () => {
    const korean = await suite.http.get('/api/v1/tickets/2147483647');
    expect(korean.headers.get('content-language')).toBe('ko');
    expect(korean.body.title).toBe('티켓을 찾을 수 없습니다');
    expect(korean.body.detail).toMatch(/[가-힣]/);

    for (const language of ['en', 'en-US,en;q=0.9', 'fr, en;q=0.5', 'en;q=0.9, ko;q=0.1']) {
      const english = await suite.http.get('/api/v1/tickets/2147483647', { 'accept-language': language });
      expect(english.headers.get('content-language')).toBe('en');
      expect(english.body.title).toBe('Ticket not found');
    }
    for (const language of ['ko-KR', 'ko, en;q=0.8', 'fr', '*']) {
      expect((await suite.http.get('/api/v1/tickets/2147483647', { 'accept-language': language })).body.title).toBe(
        '티켓을 찾을 수 없습니다',
      );
    }

    const invalid = await suite.http.post('/api/v1/members', { name: 7 }, { 'accept-language': 'en' });
    expect(invalid.body.errors).toEqual([{ path: 'body.name', message: 'Must be a string.' }]);
    const invalidKo = await suite.http.post('/api/v1/members', { name: 7 });
    expect(invalidKo.body.errors).toEqual([{ path: 'body.name', message: '문자열 값이어야 합니다.' }]);
  });

  test('every problem code has a title and detail in both languages', async () => {
    const { problemMessages } = await import('../src/adapter/in/web/messages.js');
    const { problemStatus } = await import('../src/adapter/in/web/problem.js');
    expect(Object.keys(problemMessages).sort()).toEqual(Object.keys(problemStatus).sort());
    for (const texts of Object.values(problemMessages)) {
      for (const language of ['ko', 'en'] as const) {
        expect(texts[language].title.length).toBeGreaterThan(0);
        expect(texts[language].detail.length).toBeGreaterThan(0);
      }
    }
  });

  test('x-request-id is echoed, or made up when absent', async () => {
    const echoed = await suite.http.get('/healthz', { 'x-request-id': 'trace-123' });
    expect(echoed.headers.get('x-request-id')).toBe('trace-123');
    expect((await suite.http.get('/healthz')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
