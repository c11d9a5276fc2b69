import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createPrisma, type PrismaClient } from '@ticketing/db';
import { client, type Answer, type Client } from './support/http.js';
import { TcpProxy, TEST_REDIS_URL } from '@ticketing/testkit';
import { Redis } from 'ioredis';
import { startTestApi, type TestApi } from './support/testApi.js';

/**
 * G8: with Redis away the API answers 503 QUEUE_UNAVAILABLE with Retry-After within a second,
 * instead of hanging, says so in /readyz, and recovers by itself when Redis returns.
 */
let api: TestApi;
let http: Client;
let prisma: PrismaClient;
let ticketId: number;
let names = 0;

beforeAll(async () => {
  api = await startTestApi();
  http = client(api.url);
  prisma = createPrisma(api.database.url);
  ticketId = (await http.post('/api/v1/tickets', { name: 'outage ticket', totalQuantity: 100 })).body.id;
});

afterAll(async () => {
  await prisma?.$disconnect();
  await api?.close();
});

async function newMember(): Promise<number> {
  return (await http.post('/api/v1/members', { name: `outage member ${++names}` })).body.id;
}

function expectQueueUnavailable(res: Answer): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status: 503, code: 'QUEUE_UNAVAILABLE' });
  expect(res.headers.get('retry-after')).toBe('1');
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.elapsedMs).toBeLessThan(1000);
}

describe('an API whose Redis is a closed port', () => {
  let down: TestApi;
  let downHttp: Client;

  beforeAll(async () => {
    down = await startTestApi({ REDIS_URL: 'redis://127.0.0.1:1' }, { database: api.database, prefix: api.prefix });
    downHttp = client(down.url);
  });
  afterAll(async () => {
    await down?.close();
  });

  test('POST issue-requests: 503 QUEUE_UNAVAILABLE with Retry-After: 1 within a second, every time, writing nothing', async () => {
    const memberId = await newMember();
    const before = await prisma.memberTicket.count();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expectQueueUnavailable(await downHttp.post(`/api/v1/tickets/${ticketId}/issue-requests`, { memberId }));
    }
    expect(await prisma.memberTicket.count()).toBe(before);
    const english = await downHttp.post(`/api/v1/tickets/${ticketId}/issue-requests`, { memberId }, { 'accept-language': 'en' });
    expect(english.body.title).toBe('Queue unavailable');
  });

  test('GET issue-requests: 503 for a request only Redis knows', async () => {
    const memberId = await newMember();
    const accepted = await http.post(`/api/v1/tickets/${ticketId}/issue-requests`, { memberId });
    expect(accepted.status).toBe(202);
    expectQueueUnavailable(await downHttp.get(`/api/v1/issue-requests/${accepted.body.requestId}`));
    expectQueueUnavailable(await downHttp.get(`/api/v1/issue-requests/${accepted.body.requestId}?waitMs=5000`));
  });

  test('DELETE tickets: 503 and the row stays, since its Redis state could not be scheduled for removal', async () => {
    const doomed = (await http.post('/api/v1/tickets', { name: 'outage doomed', totalQuantity: 1 })).body.id;
    expectQueueUnavailable(await downHttp.delete(`/api/v1/tickets/${doomed}`));
    expect((await http.get(`/api/v1/tickets/${doomed}`)).status).toBe(200);
    // Through an API that reaches Redis the same delete goes through and schedules the removal.
    expect((await http.delete(`/api/v1/tickets/${doomed}`)).status).toBe(204);
    expect((await http.get(`/api/v1/tickets/${doomed}`)).status).toBe(404);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const scheduled = await redis.zrange(`${api.prefix}:state-removals`, '0', '-1');
      expect(scheduled.some((entry) => entry.startsWith(`${doomed}:`))).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  test('/readyz: 503 naming Redis; what needs only MySQL still works', async () => {
    const ready = await downHttp.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'unavailable', checks: { database: 'up', redis: 'down' } });
    expect(ready.elapsedMs).toBeLessThan(1500);
    expect((await downHttp.get(`/api/v1/tickets/${ticketId}`)).status).toBe(200);
    expect((await downHttp.get('/metrics')).status).toBe(200);
  });
});

describe('Redis going away and coming back', () => {
  const proxy = new TcpProxy(6379);
  let flaky: TestApi;
  let flakyHttp: Client;

  beforeAll(async () => {
    await proxy.start();
    flaky = await startTestApi({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` }, { database: api.database, prefix: api.prefix });
    flakyHttp = client(flaky.url);
  });
  afterAll(async () => {
    await flaky?.close();
    await proxy.stop();
  });

  async function untilStatus(path: string, status: number, timeoutMs: number): Promise<Answer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await flakyHttp.get(path);
      if (res.status === status || Date.now() > deadline) return res;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  test('503 while it is gone, 202 again once it is back, without a restart', async () => {
    expect((await untilStatus('/readyz', 200, 5000)).status).toBe(200);
    expect((await flakyHttp.post(`/api/v1/tickets/${ticketId}/issue-requests`, { memberId: await newMember() })).status).toBe(202);

    await proxy.stop();
    const memberId = await newMember();
    expectQueueUnavailable(await flakyHttp.post(`/api/v1/tickets/${ticketId}/issue-requests`, { memberId }));
    expect((await flakyHttp.get('/readyz')).body.checks.redis).toBe('down');

    await proxy.start();
    expect((await untilStatus('/readyz', 200, 5000)).status).toBe(200);
    const recovered = await flakyHttp.post(`/api/v1/tickets/${ticketId}/issue-requests`, { memberId });
    expect(recovered.status).toBe(202);
  });
});
