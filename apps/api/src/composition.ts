import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '@ticketing/config';
import {
  followIssueRequest,
  getIssueRequest,
  QueueUnavailableError,
  StoreUnavailableError,
  submitIssueRequest,
  systemClock,
  ticketRef,
  withinDeadline,
  type Clock,
  type IssueRequestDeps,
  type SubmissionQueue,
  type TicketStore,
} from '@ticketing/core';
import { createPrisma, pingDatabase, PrismaMemberStore, PrismaTicketStore, reportingUnavailability } from '@ticketing/db';
import {
  bullQueueFor,
  createPipelinedClient,
  createRedis,
  pingRedis,
  queueDepths,
  redisReady,
  RedisDrainQueue,
  redisSettingsOf,
  RedisSubmissionQueue,
  RedisWatchSlots,
  SharedMetrics,
} from '@ticketing/queue';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { TokenVerifier } from './adapter/in/web/auth/tokenVerifier.js';
import { createBoard } from './adapter/in/web/board.js';
import { RateLimits } from './adapter/in/web/limits/rateLimits.js';
import { WatchCaps } from './adapter/in/web/limits/watchCaps.js';
import { TicketStatsFeed } from './adapter/in/web/streams/ticketStatsFeed.js';
import { registerQueueMetrics } from './adapter/in/web/queueMetrics.js';
import { cachedLookups, type SubmissionLookups } from './adapter/out/cache/cachedLookups.js';
import type { AppDeps, IssueRequestUseCases } from './appDeps.js';

// Settings a deployment may want to tune; constants until they become configuration.
/** A submission not queued by then is answered 503 QUEUE_UNAVAILABLE (the client's bound is 1 s). */
const SUBMISSION_DEADLINE_MS = 600;
/** A poll's database read, which only confirms what the queue says; past it the queue's answer stands. */
const ISSUE_LOOKUP_TIMEOUT_MS = 300;
/** How long a readiness ping may take. */
const PING_TIMEOUT_MS = 1000;
/** How long the submissions' cache trusts a ticket, and a ticket's absence. */
const TICKET_TTL_MS = 5000;
const MISSING_TICKET_TTL_MS = 1000;
/** A member check slower than this counts as the database not answering. */
const MEMBER_CHECK_TIMEOUT_MS = 300;
/** Longest the API waits, before it listens, for its hot queries' first run. */
const WARM_UP_LIMIT_MS = 3000;

export interface Composition {
  deps: AppDeps;
  /**
   * Runs the hot path's database queries once, so that Prisma compiling them on first use does not
   * eat a poll's lookup bound. Bounded, and never fails: the API also starts while MySQL is away.
   */
  warmUp(): Promise<void>;
  /** Closes the board's queues, the submission queue, Redis and the database pool. */
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
  // First, before any connection is opened: throws TokenVerifierConfigError for keys that cannot verify anything: main exits 1 with it.
  const tokens = new TokenVerifier({
    jwtSecret: config.AUTH_JWT_SECRET,
    jwksUrl: config.AUTH_JWKS_URL,
    audience: config.AUTH_AUDIENCE,
    issuer: config.AUTH_ISSUER,
  });
  const prisma = createPrisma(config.DATABASE_URL);
  const redis = createRedis(redisSettingsOf(config), 'ticketing-api');
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
  // The API only schedules removals (of deleted tickets' state); the workers carry them out.
  const retention = new RedisDrainQueue(redis, { prefix: config.QUEUE_PREFIX });
  const lookups = cachedLookups(tickets, members, {
    ticketTtlMs: TICKET_TTL_MS,
    missingTicketTtlMs: MISSING_TICKET_TTL_MS,
    memberCheckTimeoutMs: MEMBER_CHECK_TIMEOUT_MS,
  });
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
        tickets,
        queueFor: (ticket) => bullQueueFor(redis, config.QUEUE_PREFIX, ticketRef(ticket.id, ticket.generation)),
        log: logger,
      })
    : undefined;

  // Each submission counts against its member's limit: the counts of one turn share a round trip.
  const limitsRedis = createPipelinedClient(redis, 'ticketing-api-limits');
  limitsRedis.on('error', () => undefined); // reported by the main connection; the limits count per process meanwhile
  const rateLimits = new RateLimits({
    redis: limitsRedis,
    prefix: config.QUEUE_PREFIX,
    submitPerMember: config.RATE_SUBMIT_PER_MEMBER,
    perIp: config.RATE_PER_IP,
  });
  const watches = new WatchCaps({
    slots: new RedisWatchSlots(redis, { prefix: config.QUEUE_PREFIX }),
    perMember: config.WATCH_PER_MEMBER,
    perProcess: config.WATCH_MAX,
  });
  new Gauge({
    name: 'http_watches_held',
    help: 'Long-polls and event streams this API process holds open (bounded by WATCH_MAX)',
    registers: [registry],
    collect() {
      this.set(watches.held);
    },
  });

  const issueRequests = issueRequestUseCases({ tickets, lookups, queue, clock, stopping });
  const ticketStats = new TicketStatsFeed(async (ticketId) => {
    // The row first: its generation names the line's keys.
    const ticket = await tickets.findTicket(ticketId);
    if (ticket === null) return { line: null, ticket };
    return { line: await issueRequests.line(ticketRef(ticket.id, ticket.generation)), ticket };
  });

  const deps: AppDeps = {
    tickets,
    members,
    clock,
    issueRequests,
    forgetTicket: lookups.forgetTicket,
    async removeStateLater(ticket) {
      const atMs = clock.now().getTime() + config.RESULT_TTL_S * 1000;
      await retention.scheduleRemoval(ticketRef(ticket.id, ticket.generation), atMs).catch((error: unknown) => {
        throw new QueueUnavailableError(error);
      });
    },
    health: { database: () => pingDatabase(prisma, PING_TIMEOUT_MS), redis: () => pingRedis(redis, PING_TIMEOUT_MS) },
    registry,
    board: board?.router,
    logger,
    tokens,
    rateLimits,
    watches,
    ticketStats,
    trustProxy: config.TRUST_PROXY,
  };

  return {
    deps,
    async warmUp() {
      const queries = Promise.allSettled([
        tickets.findIssueByRequestId('warm-up'),
        tickets.findTicket(0),
        members.existingMemberIds([0]),
        tokens.warmUp(),
        // So that the first submissions are counted in Redis, not by this process alone.
        redisReady(limitsRedis, WARM_UP_LIMIT_MS),
      ]);
      await Promise.race([queries, sleep(WARM_UP_LIMIT_MS, undefined, { ref: false })]);
    },
    async close() {
      await board?.close();
      await queue.close().catch((error: unknown) => logger.warn({ err: error }, 'submission queue close failed'));
      await redis.quit().catch(() => redis.disconnect());
      await prisma.$disconnect();
      // After the database: one more wait before $disconnect gave a closing poll's last query time
      // to reopen Prisma's pool, which then kept the test process alive (watchLimits.test.ts).
      await limitsRedis.quit().catch(() => limitsRedis.disconnect());
    },
  };
}

/**
 * The submission and the poll, with what bounds them: the submission answers within its deadline,
 * reads tickets and members through the cache, and a poll's database read is bounded; a poll's
 * wait also ends when the server starts stopping.
 */
function issueRequestUseCases(adapters: {
  tickets: Pick<TicketStore, 'findIssueByRequestId' | 'findIssueOfMember' | 'findTicket'>;
  lookups: Pick<SubmissionLookups, 'findTicket' | 'memberExists'>;
  queue: SubmissionQueue;
  clock: Clock;
  stopping: AbortSignal | undefined;
}): IssueRequestUseCases {
  const { tickets, lookups, queue, clock, stopping } = adapters;
  // Polls read the ticket's generation through the cache too: it never changes for a row.
  const findIssueByRequestId = (requestId: string) =>
    withinDeadline(tickets.findIssueByRequestId(requestId), ISSUE_LOOKUP_TIMEOUT_MS, () => {
      throw new StoreUnavailableError();
    });
  // Only once a ticket's Redis state is gone (its sale ended RESULT_TTL_S ago): bounded like the poll's read.
  const bounded =
    <A extends unknown[], T>(read: (...args: A) => Promise<T>) =>
    (...args: A): Promise<T> =>
      withinDeadline(read(...args), ISSUE_LOOKUP_TIMEOUT_MS, () => {
        throw new StoreUnavailableError();
      });
  const freshTickets = { findTicket: bounded((ticketId: number) => tickets.findTicket(ticketId)) };
  const submission: IssueRequestDeps = {
    tickets: {
      findTicket: lookups.findTicket,
      findIssueByRequestId,
      findIssueOfMember: bounded((ticketId: number, memberId: number) => tickets.findIssueOfMember(ticketId, memberId)),
    },
    freshTickets,
    members: { memberExists: lookups.memberExists },
    queue,
    clock,
  };
  const reading = { tickets: { findIssueByRequestId, findTicket: lookups.findTicket }, freshTickets, queue };
  return {
    submit: (ticketId, memberId) =>
      withinDeadline(submitIssueRequest(submission, ticketId, memberId), SUBMISSION_DEADLINE_MS, () => {
        throw new QueueUnavailableError(new Error(`not queued within ${SUBMISSION_DEADLINE_MS} ms`));
      }),
    read: (requestId, waitMs, signal) =>
      getIssueRequest(reading, requestId, waitMs, signal && stopping ? AbortSignal.any([signal, stopping]) : (signal ?? stopping)),
    follow: (requestId, signal, updates, known) =>
      followIssueRequest(reading, requestId, stopping ? AbortSignal.any([signal, stopping]) : signal, updates, known),
    line: (ticket) => queue.readLine(ticket),
  };
}
