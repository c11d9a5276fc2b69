import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  createTestDatabase,
  launchNode,
  removeRedisPrefix,
  REPO_ROOT,
  TEST_AUTH_JWT_SECRET,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
  type NodeProcess,
  type TestDatabase,
} from '@ticketing/testkit';
import { client } from './support/http.js';

/** main.ts as a process: configuration errors, start-up, and a graceful SIGTERM. */
// Built apart from apps/api/dist, which other suites' processes may be running at the same time.
const outDir = fileURLToPath(new URL('../../../node_modules/.cache/ticketing-api-process-test', import.meta.url));
const main = `${outDir}/main.js`;
let database: TestDatabase;
const prefix = uniqueRedisPrefix();

beforeAll(async () => {
  // The process runs built code: this app's, fresh; its dependencies' dist from `npm run build`.
  await promisify(execFile)('npx', ['tsc', '-p', 'apps/api', '--outDir', outDir, '--declaration', 'false', '--sourceMap', 'false'], {
    cwd: REPO_ROOT,
  });
  database = await createTestDatabase();
}, 120_000);

afterAll(async () => {
  await removeRedisPrefix(prefix);
  await database?.drop();
});

/** main.js with `env` alone (and PATH): what it is not given, it must not find in this process's environment. */
/** Everything a built API needs to start against this suite's database and Redis prefix. */
function workingEnv(): Record<string, string> {
  return { PORT: '0', DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, AUTH_JWT_SECRET: TEST_AUTH_JWT_SECRET };
}

function run(env: Record<string, string>): NodeProcess {
  return launchNode({ name: 'api', script: main, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env }, inheritEnv: false });
}

const exitCode = async (started: NodeProcess) => (await started.exited).code;

async function listeningPort(started: NodeProcess, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = started
      .output()
      .split('\n')
      .find((entry) => entry.includes('"api listening"'));
    if (line) return JSON.parse(line).port;
    if (Date.now() > deadline || started.child.exitCode !== null) throw new Error(`api did not start:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('main', () => {
  test('a bad setting stops it with exit code 1 and a message naming the variable', async () => {
    const started = run({ PORT: 'not-a-port', REDIS_URL: 'http://wrong' });
    expect(await exitCode(started)).toBe(1);
    expect(started.output()).toContain('PORT');
    expect(started.output()).toContain('REDIS_URL');
  });

  test('a Bull Board password shorter than 12 characters stops it with exit code 1, naming BOARD_PASSWORD', async () => {
    const started = run({ PORT: '0', BOARD_PASSWORD: 'short-pass' });
    expect(await exitCode(started)).toBe(1);
    expect(started.output()).toMatch(/BOARD_PASSWORD: must be at least 12 characters/);
  });

  test('without AUTH_JWT_SECRET or AUTH_JWKS_URL it exits 1 naming both; a short secret is refused naming it', async () => {
    const keyless = run({ PORT: '0', DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix });
    expect(await exitCode(keyless)).toBe(1);
    expect(keyless.output()).toContain('AUTH_JWT_SECRET');
    expect(keyless.output()).toContain('AUTH_JWKS_URL');
    const short = run({ PORT: '0', DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, AUTH_JWT_SECRET: 'short' });
    expect(await exitCode(short)).toBe(1);
    expect(short.output()).toMatch(/AUTH_JWT_SECRET: must be at least 32 characters/);
  }, 30_000);

  test('its very first poll is answered by the database: a request nobody made is 404, not 503 for a cold query', async () => {
    const started = run({ ...workingEnv(), LOG_LEVEL: 'info' });
    try {
      const port = await listeningPort(started);
      const answer = await client(`http://127.0.0.1:${port}`).get('/api/v1/issue-requests/nobody-made-this');
      expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 404, code: 'ISSUE_REQUEST_NOT_FOUND' });
      started.signal('SIGTERM');
      expect(await exitCode(started)).toBe(0);
    } finally {
      started.signal('SIGKILL');
    }
  }, 60_000);

  test('serves, logs its URL, and on SIGTERM answers in-flight long-polls, stops accepting and exits 0 within 10 s', async () => {
    const started = run(workingEnv());
    try {
      const port = await listeningPort(started);
      expect(started.output()).toContain(`http://localhost:${port}`);
      const http = client(`http://127.0.0.1:${port}`);
      for (let tries = 0; (await http.get('/readyz')).status !== 200; tries += 1) {
        if (tries > 100) throw new Error('never ready');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const member = (await http.post('/api/v1/members', { name: 'process member' })).body;
      const ticket = (await http.post('/api/v1/tickets', { name: 'process ticket', totalQuantity: 1 })).body;
      const submitted = await http.post(`/api/v1/tickets/${ticket.id}/issue-requests`, { memberId: member.id });
      expect(submitted.status).toBe(202);

      const longPoll = http.get(`/api/v1/issue-requests/${submitted.body.requestId}?waitMs=30000`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const signalledAt = performance.now();
      started.signal('SIGTERM');

      const answer = await longPoll;
      expect(answer.status).toBe(200);
      expect(answer.body.status).toBe('PENDING');
      expect(await exitCode(started)).toBe(0);
      expect(performance.now() - signalledAt).toBeLessThan(10_000);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      started.signal('SIGKILL');
    }
  }, 60_000);

  test('a client dribbling its headers is answered 408 and cut off after about 10 s', async () => {
    const started = run(workingEnv());
    try {
      const port = await listeningPort(started);
      const socket = connect(port, '127.0.0.1');
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        received += chunk;
      });
      socket.on('error', () => undefined);
      const openedAt = Date.now();
      socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
      // One more header line every second: the socket is never idle, but the headers never end.
      const dribble = setInterval(() => socket.write(`X-Slow-${Date.now()}: 1\r\n`), 1000);
      const closedAfterMs = await new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - openedAt)));
      clearInterval(dribble);
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      expect(closedAfterMs).toBeGreaterThanOrEqual(9_500);
      expect(closedAfterMs).toBeLessThan(13_000);
      started.signal('SIGTERM');
      expect(await exitCode(started)).toBe(0);
    } finally {
      started.signal('SIGKILL');
    }
  }, 25_000);
});
