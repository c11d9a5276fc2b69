import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  createTestDatabase,
  removeRedisPrefix,
  startApi,
  TcpProxy,
  TEST_REDIS_URL,
  testTokens,
  uniqueRedisPrefix,
  type ApiProcess,
  type TestDatabase,
} from '@ticketing/testkit';

/**
 * The API process behind a database whose connections are cut again and again, some of them in
 * the middle of being set up (which makes the mariadb driver reject a promise nobody awaits):
 * the process stays up, answers 200 or 503 (never another 5xx), and recovers by itself.
 */
const proxy = new TcpProxy(3306);
const prefix = uniqueRedisPrefix();
let database: TestDatabase;
let api: ApiProcess;

beforeAll(async () => {
  database = await createTestDatabase();
  await proxy.start();
  const proxied = new URL(database.url);
  proxied.port = String(proxy.port);
  api = await startApi({ DATABASE_URL: proxied.toString(), REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix });
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await proxy.stop();
  await removeRedisPrefix(prefix);
  await database?.drop();
});

describe('database connections cut under load', () => {
  test('the API survives, answers only 200 or 503, and recovers', async () => {
    const created = await fetch(`${api.url}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await testTokens.admin()}` },
      body: JSON.stringify({ name: 'cut', totalQuantity: 5 }),
    });
    const { id } = (await created.json()) as { id: number };
    const statuses = new Map<number, number>();
    let running = true;
    const lane = async () => {
      while (running) {
        const res = await fetch(`${api.url}/api/v1/tickets/${id}`);
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };
    const lanes = Array.from({ length: 30 }, lane);
    for (let cut = 0; cut < 15; cut += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 300));
      await proxy.stop();
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 300));
      await proxy.start();
    }
    let recovered = false;
    for (let tries = 0; tries < 50 && !recovered; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      recovered = (await fetch(`${api.url}/api/v1/tickets/${id}`)).status === 200;
    }
    running = false;
    await Promise.all(lanes);

    expect(api.child.exitCode).toBeNull();
    expect([...statuses.keys()].filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(statuses.get(503)).toBeGreaterThan(0);
    expect(recovered).toBe(true);
  }, 60_000);
});
