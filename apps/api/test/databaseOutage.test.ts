import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createTestDatabase, removeRedisPrefix, TcpProxy, uniqueRedisPrefix, type TestDatabase } from '@ticketing/testkit';
import { tolerateDriverSetupRejections } from '@ticketing/db';
import { client, type Client } from './support/http.js';
import { startTestApi, TestWorker, type TestApi } from './support/testApi.js';

/**
 * With MySQL away the queue keeps taking requests for tickets the API has seen (that is what the
 * queue is for): members it cannot check are queued and checked by the worker. What needs the
 * database answers 503 DATABASE_UNAVAILABLE at once, and /readyz names the database.
 */
const proxy = new TcpProxy(3306);
const prefix = uniqueRedisPrefix();
let database: TestDatabase;
let api: TestApi;
let http: Client;
let worker: TestWorker;
let ticketId: number;
let memberIds: number[];

beforeAll(async () => {
  // As main.ts does: a connection cut while being set up must not end the process.
  tolerateDriverSetupRejections({ warn: () => undefined });
  await proxy.start();
  database = await createTestDatabase();
  const proxied = new URL(database.url);
  proxied.port = String(proxy.port);
  // The API reaches the database only through the proxy; the test worker reaches it directly.
  api = await startTestApi({ DATABASE_URL: proxied.toString() }, { database, prefix });
  http = client(api.url);
  worker = await new TestWorker(api).ready();
  ticketId = (await http.post('/api/v1/tickets', { name: 'outage drop', totalQuantity: 3 })).body.id;
  memberIds = [];
  for (const name of ['early', 'unchecked']) memberIds.push((await http.post('/api/v1/members', { name })).body.id);
  // The API has seen the ticket (a submission caches it) before the database goes away.
  expect((await http.post(`/api/v1/tickets/${ticketId}/issue-requests`, { memberId: memberIds[0] })).status).toBe(202);
});

afterAll(async () => {
  await worker?.close();
  await api?.close();
  await proxy.stop();
  await removeRedisPrefix(prefix);
  await database?.drop();
});

describe('MySQL going away and coming back', () => {
  let unchecked: string;
  let nobody: string;

  test('while it is away: submissions are still queued, other reads answer 503 at once, /readyz names the database', async () => {
    await proxy.stop();
    await new Promise((resolve) => setTimeout(resolve, 5500)); // past the cached ticket's freshness

    const first = await http.post(`/api/v1/tickets/${ticketId}/issue-requests`, { memberId: memberIds[1] });
    expect(first.status).toBe(202);
    unchecked = first.body.requestId;
    const ghost = await http.post(`/api/v1/tickets/${ticketId}/issue-requests`, { memberId: 2_000_000_001 });
    expect(ghost.status).toBe(202);
    nobody = ghost.body.requestId;

    const read = await http.get(`/api/v1/tickets/${ticketId}`);
    expect({ status: read.status, code: read.body.code }).toEqual({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    expect(read.headers.get('retry-after')).toBe('1');
    const again = await http.get(`/api/v1/tickets/${ticketId}`);
    expect(again.status).toBe(503);
    expect(again.elapsedMs).toBeLessThan(1000);

    const ready = await http.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ database: 'down', redis: 'up' });

    const pending = await http.get(`/api/v1/issue-requests/${unchecked}`);
    expect(pending.body).toMatchObject({ status: 'PENDING' });
  }, 30_000);

  test('after it returns: the queued requests are decided, the unknown member FAILED MEMBER_NOT_FOUND', async () => {
    await proxy.start();
    expect(await worker.drain(ticketId)).toBe('DRAINED');
    const decided = await http.get(`/api/v1/issue-requests/${unchecked}`);
    expect(decided.body).toMatchObject({ status: 'ISSUED', issueNumber: 2 });
    const ghost = await http.get(`/api/v1/issue-requests/${nobody}`);
    expect(ghost.body).toMatchObject({ status: 'FAILED', reason: 'MEMBER_NOT_FOUND', issueNumber: null });
    // The API's pool finds its way back by itself (a refused first try says Retry-After: 1).
    let ticket = await http.get(`/api/v1/tickets/${ticketId}`);
    for (let tries = 0; ticket.status === 503 && tries < 50; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      ticket = await http.get(`/api/v1/tickets/${ticketId}`);
    }
    expect(ticket.body).toMatchObject({ issuedQuantity: 2, remainingQuantity: 1 });
    expect((await http.get('/readyz')).status).toBe(200);
  }, 30_000);
});
