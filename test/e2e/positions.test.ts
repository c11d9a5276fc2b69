import { afterAll, beforeAll, expect, test } from '@jest/globals';
import {
  createTestDatabase,
  createTicket,
  HttpClient,
  removeRedisPrefix,
  runPool,
  startApi,
  startWorker,
  TEST_REDIS_URL,
  testTokens,
  uniqueRedisPrefix,
  type ApiProcess,
  type NodeProcess,
  type TestDatabase,
} from '@ticketing/testkit';

const REQUESTS = 300;
const STREAMS = 5;

/**
 * G11 through the built processes: two API processes take the requests one after the other, so
 * arrival order is known; with no worker running the places are exactly 0..N-1 in that order on
 * either process; while two workers drain in small batches, no place ever rises between two polls;
 * each issue number is its place + 1; event streams end with the decision the poll gives.
 */
let database: TestDatabase;
const prefix = uniqueRedisPrefix('positions');
const apis: ApiProcess[] = [];
const workers: NodeProcess[] = [];
const client = new HttpClient(64);
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, WORKER_BATCH_SIZE: '10' };
  apis.push(...(await Promise.all([startApi(env, { name: 'api-1' }), startApi(env, { name: 'api-2' })])));
}, 60_000);

afterAll(async () => {
  client.close();
  await Promise.all([...apis, ...workers].map((p) => p.stop('SIGTERM')));
  await removeRedisPrefix(prefix);
  await database?.drop();
});

/** Reads an event stream to its end; its events, in order. */
async function followToTheEnd(url: string, token: string): Promise<Array<{ event: string; data: unknown }>> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const text = await res.text();
  return text
    .split('\n\n')
    .map((frame) => ({ event: /^event: (.*)$/m.exec(frame)?.[1], data: /^data: (.*)$/m.exec(frame)?.[1] }))
    .filter((frame): frame is { event: string; data: string } => frame.event !== undefined && frame.data !== undefined)
    .map(({ event, data }) => ({ event, data: JSON.parse(data) }));
}

test('places are 0..N-1 in arrival order, never rise while draining, and become the issue numbers', async () => {
  const urls = apis.map((api) => api.url);
  const ticketId = await createTicket(client, urls[0]!, 'place in line drop', REQUESTS);
  const members = await database.insertMembers('positions', REQUESTS);

  const requestIds: string[] = [];
  for (const [n, memberId] of members.entries()) {
    let res = await client.post(`${urls[n % 2]}/api/v1/tickets/${ticketId}/issue-requests`, { memberId });
    for (let retry = 0; res.status === 503 && retry < 5; retry++)
      res = await client.post(`${urls[n % 2]}/api/v1/tickets/${ticketId}/issue-requests`, { memberId });
    expect([res.status, res.body.position]).toEqual([202, n]);
    requestIds.push(res.body.requestId);
  }
  const poll = (n: number, api = urls[(n + 1) % 2]!) => client.get(`${api}/api/v1/issue-requests/${encodeURIComponent(requestIds[n]!)}`);
  const before = await runPool(REQUESTS, 32, (n) => poll(n));
  expect(before.map((res) => res.body.position)).toEqual(requestIds.map((_, n) => n));

  const streamed = Array.from({ length: STREAMS }, (_, k) => Math.floor(((k + 1) * REQUESTS) / (STREAMS + 1)));
  const streams = Promise.all(
    streamed.map(async (n) =>
      followToTheEnd(
        `${urls[n % 2]}/api/v1/issue-requests/${encodeURIComponent(requestIds[n]!)}/events`,
        await testTokens.member(members[n]!),
      ),
    ),
  );

  workers.push(...(await Promise.all([1, 2].map((k) => startWorker(env, { name: `worker-${k}` })))));
  const told = requestIds.map((_, n) => n);
  const final: Array<Record<string, unknown> | null> = requestIds.map(() => null);
  let rounds = 0;
  while (final.some((answer) => answer === null) && rounds++ < 500) {
    await runPool(REQUESTS, 32, async (n) => {
      if (final[n] !== null) return;
      const { body } = await poll(n, urls[(n + rounds) % 2]!);
      if (body.status === 'PENDING') {
        expect(body.position).toBeLessThanOrEqual(told[n]!);
        told[n] = body.position;
      } else final[n] = body;
    });
  }
  expect(final.map((answer) => answer && [answer.status, answer.issueNumber, answer.position])).toEqual(
    requestIds.map((_, n) => ['ISSUED', n + 1, null]),
  );

  for (const [k, events] of (await streams).entries()) {
    const n = streamed[k]!;
    const positions = events.filter((e) => e.event === 'position').map((e) => (e.data as { position: number }).position);
    expect(positions[0]).toBe(n);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
    expect(events.at(-1)).toEqual({ event: 'decision', data: final[n] });
  }
}, 180_000);
