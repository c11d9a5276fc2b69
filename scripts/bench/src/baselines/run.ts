import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { freePort, REPO_ROOT, removeKeys } from '@ticketing/testkit';
import { insertTicket, verifyIssues, type BenchContext } from '../context.js';
import { startProcess } from '../processes.js';
import { redisGate } from './redisGate.js';
import { type BaselineResult, sendStream } from './stream.js';
import { percentile, round1 } from '../stats.js';

export type { BaselineResult } from './stream.js';

export type BaselineName = 'redisLock' | 'forUpdate' | 'bullmqJobPerTx' | 'redisGate';

/** The request stream every design gets: `requests` distinct members in one shuffled order. */
export function requestStream(memberIds: number[], requests: number): number[] {
  const stream = memberIds.slice(0, requests);
  let seed = 42;
  for (let i = stream.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [stream[i], stream[j]] = [stream[j]!, stream[i]!];
  }
  return stream;
}

async function synchronous(ctx: BenchContext, mode: 'redis-lock' | 'for-update', stream: number[], stock: number): Promise<BaselineResult> {
  const ticketId = await insertTicket(ctx.pool, `baseline-${mode}`, stock);
  const port = await freePort();
  const server = await startProcess({
    role: `baseline-${mode}`,
    script: `${REPO_ROOT}scripts/bench/dist/baselines/lockServer.js`,
    env: {
      BASELINE: mode,
      TICKET_ID: String(ticketId),
      PORT: String(port),
      DATABASE_URL: ctx.databaseUrl,
      REDIS_URL: ctx.redisUrl,
      QUEUE_PREFIX: ctx.prefix,
    },
    readyText: 'ready',
    sampler: ctx.sampler,
  });
  try {
    const { answers, elapsedMs } = await sendStream(port, stream);
    const latencies = answers.map((a) => a.latencyMs).sort((a, b) => a - b);
    const issued = answers.filter((a) => a.status === 200 && a.body.status === 'ISSUED').length;
    const failures = answers.filter((a) => a.status !== 200).length;
    const violations = await verifyIssues(ctx.databaseUrl, ticketId, Math.min(stock, stream.length));
    if (issued !== Math.min(stock, stream.length)) violations.push(`${issued} answered ISSUED`);
    if (failures > 0) violations.push(`${failures} requests failed`);
    for (const v of violations) process.stderr.write(`baseline ${mode} violation: ${v}\n`);
    return {
      requests: stream.length,
      stock,
      decisionsPerSecond: Math.round((stream.length / elapsedMs) * 1000),
      elapsedMs: Math.round(elapsedMs),
      p50: round1(percentile(latencies, 50)),
      p99: round1(percentile(latencies, 99)),
      violations: violations.length,
    };
  } finally {
    await server.stop();
  }
}

async function bullmqJobPerTx(ctx: BenchContext, stream: number[], stock: number): Promise<BaselineResult> {
  const ticketId = await insertTicket(ctx.pool, 'baseline-bullmq', stock);
  const queueName = `baseline-bullmq-${ticketId}`;
  const connection = new Redis(ctx.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection, prefix: ctx.prefix });
  try {
    for (let start = 0; start < stream.length; start += 1000) {
      await queue.addBulk(stream.slice(start, start + 1000).map((memberId) => ({ name: 'issue', data: { memberId } })));
    }
    const worker = await startProcess({
      role: 'baseline-bullmq-worker',
      script: `${REPO_ROOT}scripts/bench/dist/baselines/bullWorker.js`,
      env: {
        TICKET_ID: String(ticketId),
        EXPECTED: String(stream.length),
        BULL_QUEUE: queueName,
        DATABASE_URL: ctx.databaseUrl,
        REDIS_URL: ctx.redisUrl,
        QUEUE_PREFIX: ctx.prefix,
      },
      readyText: 'ready',
      sampler: ctx.sampler,
    });
    try {
      const drainMs = await new Promise<number>((resolve, reject) => {
        let buffer = '';
        const timer = setTimeout(() => reject(new Error('bullmq baseline: not drained within 600 s')), 600_000);
        worker.child.stdout!.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const match = /\{"drainMs":([\d.]+)\}/.exec(buffer);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
        worker.child.stdin!.write('go\n');
      });
      const violations = await verifyIssues(ctx.databaseUrl, ticketId, Math.min(stock, stream.length));
      for (const v of violations) process.stderr.write(`baseline bullmq violation: ${v}\n`);
      return {
        requests: stream.length,
        stock,
        decisionsPerSecond: Math.round((stream.length / drainMs) * 1000),
        elapsedMs: Math.round(drainMs),
        p50: 0,
        p99: 0,
        violations: violations.length,
      };
    } finally {
      await worker.stop();
    }
  } finally {
    await queue.close();
    connection.disconnect();
    await removeKeys(ctx.redis, `${ctx.prefix}:${queueName}:*`);
  }
}

export async function baseline(ctx: BenchContext, name: BaselineName, stream: number[], stock: number): Promise<BaselineResult> {
  if (name === 'redisLock') return synchronous(ctx, 'redis-lock', stream, stock);
  if (name === 'forUpdate') return synchronous(ctx, 'for-update', stream, stock);
  if (name === 'redisGate') return redisGate(ctx, stream, stock);
  return bullmqJobPerTx(ctx, stream, stock);
}
