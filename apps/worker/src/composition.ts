import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '@ticketing/config';
import { systemClock, type Clock } from '@ticketing/core';
import { createPrisma, PrismaTicketStore } from '@ticketing/db';
import {
  createRedis,
  RedisDrainQueue,
  RedisTicketLock,
  RedisWorkerPresence,
  redisReady,
  redisSettingsOf,
  SharedMetrics,
} from '@ticketing/queue';
import type { Logger } from 'pino';
import { DrainSupervisor } from './drainSupervisor.js';

/** Database connections per worker process: each drainer holds one only while it commits. */
const CONNECTION_LIMIT = 5;
/** Longest warmUp waits for Redis before the worker starts anyway (ioredis keeps reconnecting). */
const REDIS_READY_LIMIT_MS = 10_000;
/** Longest warmUp waits for the drain statements' first run. */
const WARM_UP_LIMIT_MS = 3000;

export interface Composition {
  supervisor: DrainSupervisor;
  /**
   * Waits for Redis, then runs each drain statement once. The first run of a statement is the slow
   * one (the pool connects, Prisma prepares the statement and its transaction), so the first drop
   * after a start does not pay for it. Bounded, and never fails: the worker also starts while
   * Redis or MySQL is away.
   */
  warmUp(): Promise<void>;
  /** Stops the supervisor (its drainers finish their batches and release their locks), then closes Redis and the pool. */
  close(): Promise<void>;
}

export interface CompositionOptions {
  logger: Logger;
  clock?: Clock;
}

/**
 * The worker's composition root: the real adapters and the drain supervisor, wired from the
 * configuration. Nothing is awaited here; Redis and the pool connect in the background.
 */
export function compose(config: Config, { logger, clock = systemClock }: CompositionOptions): Composition {
  const prisma = createPrisma(config.DATABASE_URL, { connectionLimit: CONNECTION_LIMIT });
  const redis = createRedis(redisSettingsOf(config), 'ticketing-worker');
  redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection error'));
  const prefix = config.QUEUE_PREFIX;
  const store = new PrismaTicketStore(prisma);
  // Bull Board's worker list: one named idle connection per ticket this process is draining.
  const presence = new RedisWorkerPresence(redis, { prefix });

  const supervisor = new DrainSupervisor(
    {
      store,
      queue: new RedisDrainQueue(redis, { prefix, lockTtlMs: config.LOCK_TTL_MS }),
      lock: new RedisTicketLock(redis, { prefix, ttlMs: config.LOCK_TTL_MS }),
      clock,
      log: logger,
      observer: new SharedMetrics(redis, { prefix }),
      settings: {
        batchSize: config.WORKER_BATCH_SIZE,
        idleMs: config.WORKER_IDLE_MS,
        maxPollMs: config.WORKER_POLL_MAX_MS,
        retryMinMs: config.WORKER_RETRY_MIN_MS,
        retryMaxMs: config.WORKER_RETRY_MAX_MS,
        resultTtlMs: config.RESULT_TTL_S * 1000,
      },
    },
    { scanIntervalMs: config.WORKER_SCAN_INTERVAL_MS, maxTickets: config.WORKER_MAX_TICKETS, presence },
  );

  return {
    supervisor,
    async warmUp() {
      await redisReady(redis, REDIS_READY_LIMIT_MS).catch(() => logger.warn('Redis not reachable yet; the worker retries by itself'));
      // Ticket 0 matches no row: the guarded UPDATE changes nothing and the commit reads as stale.
      const statements = Promise.allSettled([
        store.loadDrainState(0),
        store.readBatchMembers(0, [0]),
        store.commitBatch({ ticketId: 0, fencingToken: 0, expectedIssuedQuantity: 0, issues: [] }),
      ]);
      await Promise.race([statements, sleep(WARM_UP_LIMIT_MS, undefined, { ref: false })]);
    },
    async close() {
      await supervisor.stop();
      await Promise.allSettled([prisma.$disconnect(), presence.close(), redis.quit()]);
    },
  };
}
