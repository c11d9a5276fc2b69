import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cannon, type CannonSummary } from './cannon.js';
import { freePort, REPO_ROOT, removeKeys } from '@ticketing/testkit';
import type { BenchContext } from './context.js';
import { cpuTimeMs, startProcess } from './processes.js';

const run = promisify(execFile);

export interface CeilingResult {
  bareHttpPerSecond: number;
  bareHttpP99: number;
  expressPerSecond: number;
  expressP99: number;
  /** CPU the Express server used per request, in µs: the floor for our API's own figure. */
  expressCpuUsPerRequest: number;
  redisLpushPerSecond: number;
  redisBullAddEvalPerSecond: number;
}

async function serverCeiling(
  ctx: BenchContext,
  role: string,
  script: string,
  durationS: number,
): Promise<CannonSummary & { cpuUsPerRequest: number }> {
  const port = await freePort();
  const server = await startProcess({
    role,
    script: `${REPO_ROOT}scripts/bench/dist/servers/${script}`,
    env: { PORT: String(port) },
    readyText: 'ready',
    sampler: ctx.sampler,
  });
  try {
    const common = {
      url: `http://127.0.0.1:${port}/api/v1/tickets/1/issue-requests`,
      connections: 256,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"memberId":1}',
    };
    await cannon({ ...common, duration: 1 }); // warm-up, not counted
    const cpuBefore = cpuTimeMs(server.pid);
    const summary = await cannon({ ...common, duration: durationS });
    return { ...summary, cpuUsPerRequest: Math.round(((cpuTimeMs(server.pid) - cpuBefore) * 1000) / Math.max(1, summary.requests)) };
  } finally {
    await server.stop();
  }
}

/** `redis-benchmark -q` prints `NAME: 123456.79 requests per second, p50=…`. */
async function redisBenchmark(redisUrl: string, args: string[]): Promise<number> {
  const url = new URL(redisUrl);
  const { stdout } = await run(
    'redis-benchmark',
    ['-h', url.hostname, '-p', url.port || '6379', '-q', '-n', '100000', '-P', '16', ...args],
    { timeout: 120_000 },
  );
  const match = /([\d.]+) requests per second/.exec(stdout);
  if (!match) throw new Error(`redis-benchmark: ${stdout}`);
  return Math.round(Number(match[1]));
}

// One BullMQ-sized add: a job hash of BullMQ's fields, the wait-list push, the id counter and an event.
const BULL_ADD = `local id = redis.call('INCR', KEYS[1] .. 'id')
redis.call('HSET', KEYS[1] .. id, 'name', 'issue', 'data', ARGV[1], 'opts', ARGV[2], 'timestamp', ARGV[3], 'delay', '0', 'priority', '0')
redis.call('LPUSH', KEYS[1] .. 'wait', id)
redis.call('XADD', KEYS[1] .. 'events', 'MAXLEN', '~', '10000', '*', 'event', 'added', 'jobId', id, 'name', 'issue')
return id`;

export async function ceiling(ctx: BenchContext, durationS: number): Promise<CeilingResult> {
  const bare = await serverCeiling(ctx, 'ceiling-http', 'bareHttp.js', durationS);
  const express = await serverCeiling(ctx, 'ceiling-express', 'bareExpress.js', durationS);
  // Our own keys under the run's prefix (not redis-benchmark's default key names), removed after.
  const base = `${ctx.prefix}:redis-benchmark:`;
  try {
    const lpush = await redisBenchmark(ctx.redisUrl, ['LPUSH', `${base}list`, '1-1-00000000-0000000000000000']);
    const evalAdd = await redisBenchmark(ctx.redisUrl, [
      'EVAL',
      BULL_ADD,
      '1',
      `${base}q:`,
      '{"ticketId":1,"memberId":12345,"acceptedAt":1764000000000}',
      '{"jobId":"1-12345-00000000-0000000000000000","removeOnComplete":false,"removeOnFail":false,"attempts":0}',
      '1764000000000',
    ]);
    return {
      bareHttpPerSecond: bare.perSecond,
      bareHttpP99: bare.p99,
      expressPerSecond: express.perSecond,
      expressP99: express.p99,
      expressCpuUsPerRequest: express.cpuUsPerRequest,
      redisLpushPerSecond: lpush,
      redisBullAddEvalPerSecond: evalAdd,
    };
  } finally {
    await removeKeys(ctx.redis, `${base}*`);
  }
}
