import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '@ticketing/config';
import { systemClock, type Clock, type TicketStore } from '@ticketing/core';
import { createPrisma, pingDatabase, PrismaMemberStore, PrismaTicketStore, reportingUnavailability } from '@ticketing/db';
import { bullQueueFor, createRedis, pingRedis, queueDepths, RedisSubmissionQueue, SharedMetrics } from '@ticketing/queue';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createBoard } from './adapter/in/web/board.js';
import { registerQueueMetrics } from './adapter/in/web/metrics.js';
import { cachedLookups } from './adapter/out/cache/submissionLookups.js';
import type { AppDeps } from './appDeps.js';

/** How long a readiness ping may take. */
const PING_TIMEOUT_MS = 1000;
/** How many of the newest tickets Bull Board lists. */
const BOARD_TICKETS = 100;
/** Longest the API waits, before it listens, for its hot queries' first run. */
const WARM_UP_LIMIT_MS = 3000;

export interface Composition {
  deps: AppDeps;
  /**
   * Runs the hot path's database queries once. Prisma compiles a query shape on its first use, and
   * that can take longer than the 300 ms a poll gives the database: a freshly started API answered
   * its first polls 503. Bounded, and never fails: the API also starts while MySQL is away.
   */
  warmUp(): Promise<void>;
  /** Closes the board's queues, the issue queue, Redis and the database pool. */
  close(): Promise<void>;
}

export interface CompositionOptions {
  logger: Logger;
  stopping?: AbortSignal;
  clock?: Clock;
}

/**
 * The composition root: the real adapters, wired from the configuration. Nothing is awaited here;
 * Redis and the database pool connect in the background and every call fails fast until they do.
 */
export function compose(config: Config, { logger, stopping, clock = systemClock }: CompositionOptions): Composition {
  const prisma = createPrisma(config.DATABASE_URL);
  const redis = createRedis({ redisUrl: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES }, 'ticketing-api');
  // ioredis reports connection trouble as 'error' events; requests see it as QUEUE_UNAVAILABLE.
  let redisDown = false;
  redis.on('error', (error: unknown) => {
    if (!redisDown) logger.warn({ err: error }, 'redis connection error');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) logger.info('redis connection restored');
    redisDown = false;
  });

  const tickets = reportingUnavailability(new PrismaTicketStore(prisma));
  const members = reportingUnavailability(new PrismaMemberStore(prisma));
  const queue = new RedisSubmissionQueue(redis, { prefix: config.QUEUE_PREFIX });
  const sharedMetrics = new SharedMetrics(redis, { prefix: config.QUEUE_PREFIX });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerQueueMetrics(
    registry,
    { decisions: () => sharedMetrics.read(), queueDepths: () => queueDepths(redis, config.QUEUE_PREFIX) },
    logger,
  );

  const board = config.BOARD_PASSWORD
    ? createBoard({
        user: config.BOARD_USER,
        password: config.BOARD_PASSWORD,
        recentTicketIds: () => recentTicketIds(tickets, BOARD_TICKETS),
        queueFor: (ticketId) => bullQueueFor(redis, config.QUEUE_PREFIX, ticketId),
        log: logger,
      })
    : undefined;

  const deps: AppDeps = {
    tickets,
    members,
    queue,
    clock,
    lookups: cachedLookups(tickets, members),
    health: { database: () => pingDatabase(prisma, PING_TIMEOUT_MS), redis: () => pingRedis(redis, PING_TIMEOUT_MS) },
    registry,
    board: board?.router,
    logger,
    stopping,
  };

  return {
    deps,
    async warmUp() {
      const queries = Promise.allSettled([
        tickets.findIssueByRequestId('warm-up'),
        tickets.findTicket(0),
        members.existingMemberIds([0]),
      ]);
      await Promise.race([queries, sleep(WARM_UP_LIMIT_MS, undefined, { ref: false })]);
    },
    async close() {
      await board?.close();
      await queue.close().catch((error: unknown) => logger.warn({ err: error }, 'issue queue close failed'));
      await redis.quit().catch(() => redis.disconnect());
      await prisma.$disconnect();
    },
  };
}

/** Ids of the newest tickets (the store lists oldest first, so read the last pages). */
export async function recentTicketIds(tickets: Pick<TicketStore, 'listTickets'>, count: number): Promise<number[]> {
  const { total } = await tickets.listTickets({ page: 1, size: 1 });
  if (total === 0) return [];
  const lastPage = Math.ceil(total / count);
  const pages = await Promise.all(
    [lastPage - 1, lastPage].filter((page) => page >= 1).map((page) => tickets.listTickets({ page, size: count })),
  );
  return pages
    .flatMap((page) => page.items.map((ticket) => ticket.id))
    .sort((a, b) => b - a)
    .slice(0, count);
}
