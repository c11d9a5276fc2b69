import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '@ticketing/config';
import { systemClock } from '@ticketing/core';
import { createPrisma, PrismaTicketStore, tolerateDriverSetupRejections } from '@ticketing/db';
import { createRedis, RedisDrainQueue, RedisTicketLock, redisReady, SharedMetrics } from '@ticketing/queue';
import { pino } from 'pino';
import { DrainSupervisor } from './supervisor.js';

const SHUTDOWN_DEADLINE_MS = 9000;
/** Longest the worker waits, before it starts draining, for its statements' first run. */
const WARM_UP_LIMIT_MS = 3000;

const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
})();

const log = pino({ level: config.LOG_LEVEL, base: { process: 'worker', pid: process.pid } });
tolerateDriverSetupRejections(log);
const prisma = createPrisma(config.DATABASE_URL, { connectionLimit: 5 });
const redis = createRedis({ redisUrl: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES }, 'ticketing-worker');
redis.on('error', (error: Error) => log.warn({ err: error.message }, 'redis connection error'));
const prefix = config.QUEUE_PREFIX;
const store = new PrismaTicketStore(prisma);

const supervisor = new DrainSupervisor(
  {
    store,
    queue: new RedisDrainQueue(redis, { prefix }),
    lock: new RedisTicketLock(redis, { prefix, ttlMs: config.LOCK_TTL_MS }),
    clock: systemClock,
    log,
    observer: new SharedMetrics(redis, { prefix }),
    settings: { batchSize: config.WORKER_BATCH_SIZE, idleMs: 2000, maxPollMs: 50, retryMinMs: 50, retryMaxMs: 2000 },
  },
  { scanIntervalMs: 100, maxTickets: 256 },
);

await redisReady(redis, 10_000).catch(() => log.warn('Redis not reachable yet; the worker retries by itself'));
await warmDrainStatements();
supervisor.start();
log.info({ batchSize: config.WORKER_BATCH_SIZE, lockTtlMs: config.LOCK_TTL_MS, prefix }, 'worker started');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal, draining: supervisor.drainingTickets }, 'finishing current batches');
  // A batch that cannot finish in time (say the database is away) stays queued for another worker.
  const deadline = setTimeout(() => {
    log.warn('shutdown deadline reached; exiting with uncommitted batches left in their queues');
    process.exit(0);
  }, SHUTDOWN_DEADLINE_MS);
  await supervisor.stop();
  await Promise.allSettled([prisma.$disconnect(), redis.quit()]);
  clearTimeout(deadline);
  log.info('worker stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

/**
 * The first run of each drain statement is the slow one (the pool connects, Prisma prepares the
 * statement and its transaction): run them once on ticket 0, which matches no row (the guarded
 * UPDATE changes nothing and the commit reads as stale), so the first drop after a start does not
 * pay for it. Bounded, and never fails: the worker also starts while MySQL is away.
 */
async function warmDrainStatements(): Promise<void> {
  const statements = Promise.allSettled([
    store.loadDrainState(0),
    store.readBatchMembers(0, [0]),
    store.commitBatch({ ticketId: 0, fencingToken: 0, expectedIssuedQuantity: 0, issues: [] }),
  ]);
  await Promise.race([statements, sleep(WARM_UP_LIMIT_MS, undefined, { ref: false })]);
}
