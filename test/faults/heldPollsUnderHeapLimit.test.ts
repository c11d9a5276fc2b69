import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  createTestDatabase,
  createTicket,
  DEPLOYED_NODE_ARGS,
  HttpClient,
  REPO_ROOT,
  removeRedisPrefix,
  runPool,
  startApi,
  startWorker,
  TEST_REDIS_URL,
  testTokens,
  TimedHttp,
  uniqueRedisPrefix,
  type Answer,
  type ApiProcess,
  type TestDatabase,
} from '@ticketing/testkit';

/**
 * The API's heap limit as `npm start` and the Docker image set it (startApi starts every API with
 * DEPLOYED_NODE_ARGS): WATCH_MAX held polls and a flood peaked near 500 MiB of heap here (about
 * 28 KiB a held poll), so 1 GiB leaves twice that.
 */
const HEAP_FLAG = '--max-old-space-size=1024';
/** Node 20's young generation at that heap on every Node (Node 24 would grow it 4 times larger). */
const YOUNG_GENERATION_FLAG = '--max-semi-space-size=16';
const WATCH_MAX = 10_000;
const WATCHERS = Math.ceil(WATCH_MAX / 3); // WATCH_PER_MEMBER is 3
const FLOOD = 2_000;

/**
 * The per-process watch cap bounds what held connections can cost, which is what makes a heap
 * limit safe: one API process under the default limit holds WATCH_MAX long-polls while a flood of
 * submissions comes in, answers every one of them, and answers every held poll once the requests
 * are decided. Without the cap (or with too small a limit) the process dies of heap exhaustion.
 */
let database: TestDatabase;
let api: ApiProcess;
const prefix = uniqueRedisPrefix('heap');
let env: Record<string, string>;
const admin = new HttpClient(16);

beforeAll(async () => {
  database = await createTestDatabase();
  env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, WATCH_MAX: String(WATCH_MAX) };
  api = await startApi(env);
}, 60_000);

afterAll(async () => {
  admin.close();
  await api?.stop('SIGKILL');
  await removeRedisPrefix(prefix);
  await database?.drop();
}, 60_000);

async function scrape(name: string): Promise<number> {
  const text = (
    await admin.get(`${api.url}/metrics`).catch((error: unknown) => {
      throw new Error(`${String(error)}; the API ${api.alive ? 'is alive' : 'exited'}:\n${api.output().slice(-3000)}`);
    })
  ).body as string;
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)![1]);
}

test('npm start, the Docker image and docker-compose run the API and the worker as the tests and the bench do', () => {
  expect(DEPLOYED_NODE_ARGS).toEqual([HEAP_FLAG, YOUNG_GENERATION_FLAG]);
  const quoted = DEPLOYED_NODE_ARGS.map((flag) => JSON.stringify(flag)).join(', ');
  expect(readFileSync(`${REPO_ROOT}scripts/start.mjs`, 'utf8')).toContain(`const nodeArgs = [${quoted.replaceAll('"', "'")}];`);
  expect(readFileSync(`${REPO_ROOT}Dockerfile`, 'utf8')).toContain(`CMD ["node", ${quoted}, "apps/api/dist/main.js"]`);
  const compose = readFileSync(`${REPO_ROOT}docker-compose.yml`, 'utf8');
  for (const app of ['api', 'worker']) expect(compose).toContain(`command: ["node", ${quoted}, "apps/${app}/dist/main.js"]`);
});

test(`${WATCH_MAX} held long-polls and a flood of ${FLOOD} submissions under ${HEAP_FLAG}: every one answered`, async () => {
  const members = await database.insertMembers('heap', WATCHERS + FLOOD);
  const [watchers, flooders] = [members.slice(0, WATCHERS), members.slice(WATCHERS)];
  await Promise.all(members.map((id) => testTokens.member(id))); // minted before, not during, the load
  const ticketId = await createTicket(admin, api.url, 'heap ticket', members.length);
  const submit = new TimedHttp(64, 30_000);
  const submitAll = async (ids: number[]) => {
    const answers: Answer[] = new Array(ids.length);
    await runPool(ids.length, 64, async (n) => {
      // As a client does: a 503 (the API's 600 ms deadline on a busy machine) is asked again after Retry-After.
      for (let attempt = 0; attempt < 20; attempt++) {
        answers[n] = await submit.post(`${api.url}/api/v1/tickets/${ticketId}/issue-requests`, { memberId: ids[n] });
        if (answers[n]!.status !== 503) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    });
    return answers;
  };

  // No worker yet: every request stays PENDING, so each poll is held for its whole wait.
  const accepted = await submitAll(watchers);
  // 200: a retry whose first try had landed answers that same request.
  expect(accepted.filter((answer) => answer.status !== 202 && answer.status !== 200).map((answer) => answer.status)).toEqual([]);
  const polls = new TimedHttp(WATCH_MAX + 100, 120_000);
  const held = accepted.flatMap((answer, n) =>
    [0, 1, 2].map(async () => {
      const token = await testTokens.member(watchers[n]!);
      return polls.send('GET', `${api.url}/api/v1/issue-requests/${answer.body.requestId}?waitMs=30000`, undefined, 120_000, {
        authorization: `Bearer ${token}`,
      });
    }),
  );
  // Held means not answered yet: wait until the process holds (about) WATCH_MAX of them.
  const deadline = Date.now() + 150_000;
  while ((await scrape('http_watches_held')) < WATCH_MAX - 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  expect(await scrape('http_watches_held')).toBeGreaterThanOrEqual(WATCH_MAX - 10);

  const flood = await submitAll(flooders);
  expect(flood.filter((answer) => answer.status !== 202 && answer.status !== 200).map((answer) => answer.status)).toEqual([]);
  const heapUsed = await scrape('nodejs_heap_size_used_bytes');
  const rss = await scrape('process_resident_memory_bytes');
  process.stdout.write(
    `API with ${WATCH_MAX} held polls after the flood: heap used ${Math.round(heapUsed / 2 ** 20)} MiB, RSS ${Math.round(rss / 2 ** 20)} MiB\n`,
  );

  // A worker decides everything: every held poll answers ISSUED (the few past WATCH_MAX answered PENDING at once).
  const worker = await startWorker(env);
  try {
    const answers = await Promise.all(held);
    expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.error ?? answer.status)).toEqual([]);
    const statuses = answers.map((answer) => answer.body.status);
    expect(statuses.filter((status) => status === 'ISSUED').length).toBeGreaterThanOrEqual(3 * WATCHERS - 10);
    expect(api.alive).toBe(true);
  } finally {
    await worker.stop();
    submit.close();
    polls.close();
  }
}, 360_000);
