import { performance } from 'node:perf_hooks';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { openPool } from '../context.js';
import { decideOne } from './decide.js';

/**
 * Baseline (c): the same BullMQ queue, one job per request, drained by a stock BullMQ Worker
 * (concurrency 1, so queue order is decision order) that runs one transaction per job.
 * Starts on a "go" line on stdin; prints {"drainMs":…} when EXPECTED jobs have completed.
 */
const ticketId = Number(process.env.TICKET_ID);
const expected = Number(process.env.EXPECTED);
const pool = openPool(process.env.DATABASE_URL!, 2);
const connection = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
const worker = new Worker(
  process.env.BULL_QUEUE!,
  async (job) => decideOne(pool, ticketId, (job.data as { memberId: number }).memberId, false),
  { connection, prefix: process.env.QUEUE_PREFIX!, concurrency: 1, autorun: false, removeOnComplete: { count: 0 } },
);
let done = 0;
let startedAt = 0;
worker.on('completed', () => {
  done += 1;
  if (done === expected) {
    process.stdout.write(`${JSON.stringify({ drainMs: performance.now() - startedAt })}\n`);
  }
});
worker.on('failed', (_job, error) => process.stderr.write(`job failed: ${error.message}\n`));
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.stdin.on('data', (chunk: Buffer) => {
  if (chunk.toString().includes('go') && startedAt === 0) {
    startedAt = performance.now();
    void worker.run();
  }
});
process.on('SIGTERM', () => {
  void Promise.allSettled([worker.close(), pool.end()]).then(() => process.exit(0));
});
