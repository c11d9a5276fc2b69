import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  createMembers,
  createTestDatabase,
  createTicket,
  freePort,
  HttpClient,
  launchNode,
  REPO_ROOT,
  removeRedisPrefix,
  runDrop,
  TEST_AUTH_JWT_SECRET,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
  type NodeProcess,
  type TestDatabase,
} from '@ticketing/testkit';

/**
 * `npm start` with API_PROCESSES=2 and WORKER_PROCESSES=2: two API processes serve one port
 * (node:cluster) and both take part in a drop, two workers drain it, the guarantees hold, and
 * Ctrl-C (SIGINT) stops them all.
 */
let database: TestDatabase;
let start: NodeProcess;
let url: string;
const prefix = uniqueRedisPrefix('start');
const client = new HttpClient(32);

beforeAll(async () => {
  database = await createTestDatabase();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  start = launchNode({
    name: 'npm-start',
    script: 'scripts/start.mjs',
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      PORT: String(port),
      AUTH_JWT_SECRET: TEST_AUTH_JWT_SECRET,
      BOARD_PASSWORD: 'start-test-board-password',
      LOG_LEVEL: 'warn',
      API_PROCESSES: '2',
      WORKER_PROCESSES: '2',
    },
  });
  // It builds (cached by Turborepo) and migrates first.
  await start.whenReady({ url: `${url}/readyz` }, 120_000);
}, 150_000);

afterAll(async () => {
  client.close();
  if (start?.alive) await start.stop('SIGKILL');
  await removeRedisPrefix(prefix);
  await database?.drop();
}, 60_000);

/** The start script's children: the node processes it runs, by script. */
function children(): Array<{ pid: number; script: string }> {
  const lines = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(start.pid)], { encoding: 'utf8' })
    .trim()
    .split('\n');
  return lines.flatMap((line) => {
    // `<pid> node [node options] <script> [args]`: the API runs with its heap limit before the script.
    const [pid, ...args] = line.trim().split(/\s+/);
    const script = args.find((arg) => arg.endsWith('.js'));
    return script ? [{ pid: Number(pid), script: script.replace(REPO_ROOT, '') }] : [];
  });
}

/** CPU time (user + system, in clock ticks) a process has used so far. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

describe('npm start with two API and two worker processes', () => {
  test('both APIs serve the one port and a drop through it keeps G1-G5; SIGINT stops everything', async () => {
    const running = children();
    const apis = running.filter((child) => child.script.endsWith('apps/api/dist/main.js'));
    expect(apis).toHaveLength(2);
    expect(running.filter((child) => child.script.endsWith('apps/worker/dist/main.js'))).toHaveLength(2);

    const idle = new Map(apis.map(({ pid }) => [pid, cpuTicks(pid)]));
    const memberIds = await createMembers(client, [url], 'start', 600);
    const ticketId = await createTicket(client, url, 'start drop', 400);
    const { report } = await runDrop({
      client,
      apis: [url],
      ticketId,
      totalQuantity: 400,
      memberIds,
      perMember: 1,
      concurrency: 32,
      readRows: () => database.issueRows(ticketId),
    });
    expect(report.violations).toEqual([]);
    expect(report.issued).toBe(400);
    // Connections are handed to the API processes in turn: each did a fair part of the work (a
    // share of the CPU both used, since how much that is depends on the Node version and the machine).
    const used = apis.map(({ pid }) => cpuTicks(pid) - idle.get(pid)!);
    const total = used.reduce((sum, ticks) => sum + ticks, 0);
    expect(total).toBeGreaterThan(0);
    for (const ticks of used) expect(ticks / total).toBeGreaterThan(0.2);

    const stopped = await start.stop('SIGINT');
    expect(stopped.code).toBe(0);
    for (const { pid } of running) expect(() => process.kill(pid, 0)).toThrow();
  }, 150_000);
});

test('a process count that is not 1..64 stops it at once with a message naming the flag and the variable', () => {
  const run = spawnSync(process.execPath, ['scripts/start.mjs', '--apis', '0'], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('--apis / API_PROCESSES');
  const env = { ...process.env, WORKER_PROCESSES: 'many' };
  const fromEnv = spawnSync(process.execPath, ['scripts/start.mjs'], { cwd: REPO_ROOT, encoding: 'utf8', env });
  expect(fromEnv.status).toBe(1);
  expect(fromEnv.stderr).toContain('--workers / WORKER_PROCESSES');
});
