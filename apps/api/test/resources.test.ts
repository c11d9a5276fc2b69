import { beforeAll, describe, expect, test } from '@jest/globals';
import { ticketKeys } from '@ticketing/queue';
import type { JsonBody } from '@ticketing/testkit';
import { useTestSuite } from './support/testApi.js';

/** Every row of the HTTP API table of docs/CONTRACT.md, the successful way, against the real services. */
const suite = useTestSuite();
let names = 0;
const unique = (stem: string) => `${stem}-${++names}`;

async function newMember(name = unique('member')) {
  const res = await suite.http.post('/api/v1/members', { name });
  expect(res.status).toBe(201);
  return res.body as { id: number; name: string; createdAt: string };
}

async function newTicket(fields: Record<string, unknown> = {}) {
  const res = await suite.http.post('/api/v1/tickets', { name: unique('ticket'), totalQuantity: 10, ...fields });
  expect(res.status).toBe(201);
  return res.body as { id: number; name: string; totalQuantity: number };
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('members', () => {
  test('POST /members creates one: 201, Location, exactly {id,name,createdAt}', async () => {
    const res = await suite.http.post('/api/v1/members', { name: '  홍길동  ' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/v1/members/${res.body.id}`);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'id', 'name']);
    expect(res.body.name).toBe('홍길동');
    expect(res.body.createdAt).toMatch(ISO_UTC);
  });

  test('GET /members/{id} and GET /members?name= find it', async () => {
    const member = await newMember();
    expect((await suite.http.get(`/api/v1/members/${member.id}`)).body).toEqual(member);
    const byName = await suite.http.get(`/api/v1/members?name=${encodeURIComponent(member.name)}`);
    expect(byName.status).toBe(200);
    expect(byName.body).toEqual(member);
  });

  test('GET /members?page=&size= lists them a page at a time', async () => {
    await newMember();
    await newMember();
    const first = await suite.http.get('/api/v1/members?page=1&size=2');
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['items', 'page', 'size', 'total']);
    expect(first.body).toMatchObject({ page: 1, size: 2 });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.total).toBeGreaterThanOrEqual(3);
    const defaults = await suite.http.get('/api/v1/members');
    expect(defaults.body).toMatchObject({ page: 1, size: 20, total: first.body.total });
  });
});

describe('tickets', () => {
  test('POST /tickets creates one: 201, Location, the exact ticket body, openAt defaulting to now', async () => {
    const before = Date.now();
    const res = await suite.http.post('/api/v1/tickets', { name: unique('concert'), totalQuantity: 100 });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/v1/tickets/${res.body.id}`);
    expect(Object.keys(res.body).sort()).toEqual(
      ['closeAt', 'id', 'issuedQuantity', 'name', 'openAt', 'remainingQuantity', 'status', 'totalQuantity'].sort(),
    );
    expect(res.body).toMatchObject({ totalQuantity: 100, issuedQuantity: 0, remainingQuantity: 100, closeAt: null, status: 'OPEN' });
    expect(res.body.openAt).toMatch(ISO_UTC);
    expect(Date.parse(res.body.openAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  test('times with an offset are stored and answered in UTC; status follows the sales window', async () => {
    const scheduled = await suite.http.post('/api/v1/tickets', {
      name: unique('later'),
      totalQuantity: 5,
      openAt: '2999-01-01T09:00:00+09:00',
      closeAt: '2999-01-02T09:00:00+09:00',
    });
    expect(scheduled.body).toMatchObject({ openAt: '2999-01-01T00:00:00.000Z', closeAt: '2999-01-02T00:00:00.000Z', status: 'SCHEDULED' });
    const closed = await suite.http.post('/api/v1/tickets', {
      name: unique('past'),
      totalQuantity: 5,
      openAt: '2020-01-01T00:00:00Z',
      closeAt: '2020-01-02T00:00:00Z',
    });
    expect(closed.body.status).toBe('CLOSED');
  });

  test('GET /tickets/{id}, GET /tickets?name= and GET /tickets?page=&size=', async () => {
    const ticket = await newTicket();
    const byId = await suite.http.get(`/api/v1/tickets/${ticket.id}`);
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual(ticket);
    const byName = await suite.http.get(`/api/v1/tickets?name=${encodeURIComponent(ticket.name)}`);
    expect(byName.body).toEqual(ticket);
    const page = await suite.http.get('/api/v1/tickets?page=1&size=1');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ page: 1, size: 1 });
    expect(page.body.items).toHaveLength(1);
    expect(page.body.total).toBeGreaterThanOrEqual(1);
  });

  test('DELETE /tickets/{id} removes a ticket nobody holds: 204, then 404', async () => {
    const ticket = await newTicket();
    const res = await suite.http.delete(`/api/v1/tickets/${ticket.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await suite.http.get(`/api/v1/tickets/${ticket.id}`)).status).toBe(404);
  });
});

describe('issue requests', () => {
  test('POST /tickets/{id}/issue-requests: 202 + Location with a PENDING request; again: 200, the same request, no second job', async () => {
    const ticket = await newTicket();
    const member = await newMember();
    const first = await suite.http.post(`/api/v1/tickets/${ticket.id}/issue-requests`, { memberId: member.id });
    expect(first.status).toBe(202);
    expect(Object.keys(first.body).sort()).toEqual(
      [
        'acceptedAt',
        'decidedAt',
        'estimatedWaitMs',
        'issueNumber',
        'memberId',
        'memberTicketId',
        'position',
        'reason',
        'requestId',
        'status',
        'ticketId',
      ].sort(),
    );
    expect(first.body).toMatchObject({
      ticketId: ticket.id,
      memberId: member.id,
      status: 'PENDING',
      reason: null,
      issueNumber: null,
      memberTicketId: null,
      decidedAt: null,
      position: 0,
      estimatedWaitMs: null,
    });
    expect(first.body.acceptedAt).toMatch(ISO_UTC);
    expect(first.headers.get('location')).toBe(`/api/v1/issue-requests/${encodeURIComponent(first.body.requestId)}`);

    const again = await suite.http.post(`/api/v1/tickets/${ticket.id}/issue-requests`, { memberId: member.id });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await suite.worker.redis.llen(ticketKeys(suite.api.prefix, await suite.worker.ref(ticket.id)).wait)).toBe(1);

    const polled = await suite.http.get(first.headers.get('location')!);
    expect(polled.status).toBe(200);
    expect(polled.body).toEqual(first.body);
  });

  test('GET /issue-requests/{id}?waitMs= answers as soon as the request is decided', async () => {
    const ticket = await newTicket();
    const member = await newMember();
    const submitted = await suite.http.post(`/api/v1/tickets/${ticket.id}/issue-requests`, { memberId: member.id });
    const poll = suite.http.get(`/api/v1/issue-requests/${submitted.body.requestId}?waitMs=20000`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const drainedAt = performance.now();
    await suite.worker.drain(ticket.id);
    const answer = await poll;
    const answeredAfterDrainMs = performance.now() - drainedAt;

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ requestId: submitted.body.requestId, status: 'ISSUED', issueNumber: 1, reason: null });
    expect(answer.body.memberTicketId).toEqual(expect.any(Number));
    expect(answer.body.decidedAt).toMatch(ISO_UTC);
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(250);
    expect(answeredAfterDrainMs).toBeLessThan(2000);
  });

  test('waitMs=0 and no waitMs answer at once, PENDING while undecided', async () => {
    const ticket = await newTicket();
    const member = await newMember();
    const submitted = await suite.http.post(`/api/v1/tickets/${ticket.id}/issue-requests`, { memberId: member.id });
    for (const query of ['', '?waitMs=0']) {
      const res = await suite.http.get(`/api/v1/issue-requests/${submitted.body.requestId}${query}`);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('PENDING');
      expect(res.elapsedMs).toBeLessThan(1000);
    }
    const waited = await suite.http.get(`/api/v1/issue-requests/${submitted.body.requestId}?waitMs=300`);
    expect(waited.body.status).toBe('PENDING');
    expect(waited.elapsedMs).toBeGreaterThanOrEqual(250);
  });
});

describe('issued tickets', () => {
  let ticketId: number;
  let holders: Array<{ id: number }>;
  let lastAnswer: { status: number; body: JsonBody };

  beforeAll(async () => {
    ticketId = (await newTicket({ totalQuantity: 2 })).id;
    holders = [await newMember(), await newMember(), await newMember()];
    for (const member of holders) {
      lastAnswer = await suite.http.post(`/api/v1/tickets/${ticketId}/issue-requests`, { memberId: member.id });
    }
    await suite.worker.drain(ticketId);
  });

  test('the ticket reflects what was issued', async () => {
    const res = await suite.http.get(`/api/v1/tickets/${ticketId}`);
    expect(res.body).toMatchObject({ totalQuantity: 2, issuedQuantity: 2, remainingQuantity: 0, status: 'SOLD_OUT' });
  });

  test('GET /tickets/{id}/issues pages through them in issueNumber order', async () => {
    const res = await suite.http.get(`/api/v1/tickets/${ticketId}/issues?page=1&size=10`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ page: 1, size: 10, total: 2 });
    expect(res.body.items.map((issue: { issueNumber: number }) => issue.issueNumber)).toEqual([1, 2]);
    expect(res.body.items.map((issue: { memberId: number }) => issue.memberId)).toEqual([holders[0]!.id, holders[1]!.id]);
    expect(Object.keys(res.body.items[0]).sort()).toEqual(['id', 'issueNumber', 'issuedAt', 'memberId', 'requestId', 'ticketId', 'usedAt']);
    const second = await suite.http.get(`/api/v1/tickets/${ticketId}/issues?page=2&size=1`);
    expect(second.body.items.map((issue: { issueNumber: number }) => issue.issueNumber)).toEqual([2]);
  });

  test('the third member was refused SOLD_OUT at once (the stock was spoken for), and is again', async () => {
    expect(lastAnswer.status).toBe(409);
    expect(lastAnswer.body).toMatchObject({ code: 'SOLD_OUT' });
    const again = await suite.http.post(`/api/v1/tickets/${ticketId}/issue-requests`, { memberId: holders[2]!.id });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'SOLD_OUT' });
  });

  test('an issued request polls with its member ticket, which GET /members/{id}/tickets lists', async () => {
    const mine = await suite.http.get(`/api/v1/members/${holders[0]!.id}/tickets`);
    expect(mine.status).toBe(200);
    expect(Object.keys(mine.body)).toEqual(['items']);
    expect(mine.body.items).toHaveLength(1);
    const [issue] = mine.body.items;
    expect(issue).toMatchObject({ ticketId, memberId: holders[0]!.id, issueNumber: 1, usedAt: null });
    const polled = await suite.http.get(`/api/v1/issue-requests/${issue.requestId}`);
    expect(polled.body).toMatchObject({ status: 'ISSUED', issueNumber: 1, memberTicketId: issue.id });
    expect((await suite.http.get(`/api/v1/members/${holders[2]!.id}/tickets`)).body).toEqual({ items: [] });
  });

  test('POST /members/{id}/tickets/{ticketId}/use marks it used: 200 with usedAt', async () => {
    const res = await suite.http.post(`/api/v1/members/${holders[1]!.id}/tickets/${ticketId}/use`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ticketId, memberId: holders[1]!.id, issueNumber: 2 });
    expect(res.body.usedAt).toMatch(ISO_UTC);
  });
});
