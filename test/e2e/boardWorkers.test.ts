import { afterAll, beforeAll, expect, test } from '@jest/globals';
import {
  createTestDatabase,
  createTicket,
  HttpClient,
  removeRedisPrefix,
  startApi,
  startWorker,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
  waitUntil,
  type ApiProcess,
  type NodeProcess,
  type TestDatabase,
} from '@ticketing/testkit';

/**
 * Bull Board's "No workers" warning through the built processes: while a worker holds a ticket's
 * lock (it drains, then keeps the empty queue WORKER_IDLE_MS for more requests) the board lists
 * it on that ticket's queue, by the worker's name; once it retires the queue has no worker again.
 */
const PASSWORD = 'board-password-e2e';
const IDLE_MS = 4000;
let database: TestDatabase;
const prefix = uniqueRedisPrefix('board');
let api: ApiProcess;
let worker: NodeProcess;
const client = new HttpClient(4);

beforeAll(async () => {
  database = await createTestDatabase();
  const env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
  api = await startApi({ ...env, BOARD_PASSWORD: PASSWORD });
  worker = await startWorker({ ...env, WORKER_IDLE_MS: String(IDLE_MS) });
}, 60_000);

afterAll(async () => {
  client.close();
  await Promise.all([api, worker].map((p) => p?.stop('SIGTERM')));
  await removeRedisPrefix(prefix);
  await database?.drop();
});

const authorization = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

async function board<T>(path: string): Promise<T> {
  const res = await fetch(`${api.url}/admin/queues/api${path}`, { headers: { authorization } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

interface BoardQueue {
  name: string;
  displayName?: string;
  hasWorkers: boolean | null;
}

async function queueOf(ticketId: number): Promise<BoardQueue | undefined> {
  const { queues } = await board<{ queues: BoardQueue[] }>('/queues');
  return queues.find((queue) => queue.displayName === `ticket ${ticketId}`);
}

test('the board lists the draining worker on its ticket queue while it holds the lock, and no worker after', async () => {
  const ticketId = await createTicket(client, api.url, 'board workers', 10);
  const [memberId] = await database.insertMembers('board', 1);
  const submitted = await client.post(`${api.url}/api/v1/tickets/${ticketId}/issue-requests`, { memberId });
  expect(submitted.status).toBe(202);

  let shown: BoardQueue | undefined;
  await waitUntil(
    async () => {
      shown = await queueOf(ticketId);
      return shown?.hasWorkers === true;
    },
    'the board to list a worker',
    IDLE_MS,
    100,
  );
  const { workers } = await board<{ workers: Array<{ name: string | null }> }>(`/queues/${encodeURIComponent(shown!.name)}/workers`);
  expect(workers).toHaveLength(1);
  expect(workers[0]!.name).toMatch(/^[A-Za-z0-9._-]+-\d+$/);

  // After the idle wait the worker retires, releases the lock and closes its named connection.
  await waitUntil(async () => (await queueOf(ticketId))?.hasWorkers === false, 'the board to list no worker', IDLE_MS + 5000, 200);
}, 30_000);
