import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Ticket, TicketStore } from '@ticketing/core';
import express, { type RequestHandler, type Router } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { Problem } from './problem.js';
import { sendProblem } from './sendProblem.js';

export const BOARD_PATH = '/admin/queues';
/** How many of the newest tickets' queues the board lists. */
const SHOWN_TICKETS = 100;
/** Failed logins one client address may make per window; past them every attempt gets 429 until the window ends. */
const FAILED_LOGINS_PER_WINDOW = 10;
const FAILED_LOGIN_WINDOW_SECONDS = 60;

type BullQueue = ConstructorParameters<typeof BullMQAdapter>[0];

export interface BoardOptions {
  user: string;
  password: string;
  /** The board shows the queues of the newest tickets, at most 100. */
  tickets: Pick<TicketStore, 'listTickets'>;
  /** A BullMQ Queue over one ticket row's queue. */
  queueFor(ticket: Pick<Ticket, 'id' | 'generation'>): BullQueue;
  /** The queue list is refreshed, when the board is used, at most this often. */
  refreshMs?: number;
  log: { warn(fields: object, message: string): void };
}

export interface Board {
  /** Mount at BOARD_PATH. */
  router: Router;
  close(): Promise<void>;
}

/**
 * Bull Board behind HTTP Basic auth. Queues are per ticket, so the board's list follows the
 * tickets: refreshed from the most recent ones when the board is requested. It is read-only:
 * jobs belong to the workers, which decide them in order; removing or retrying one by hand would
 * break that order.
 */
export function createBoard(options: BoardOptions): Board {
  const serverAdapter = new ExpressAdapter().setBasePath(BOARD_PATH);
  const board = createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle: '발급 대기열' } } });
  // By id and generation: a row that reuses an id (a database reset) has another queue.
  const shown = new Map<string, { queue: BullQueue; adapter: BullMQAdapter }>();
  const refreshMs = options.refreshMs ?? 2000;
  let refreshedAt = 0;
  let refreshing: Promise<void> | null = null;

  async function refresh(): Promise<void> {
    // A ticket whose Redis state was removed (its sale ended RESULT_TTL_S ago) has no queue to show.
    const tickets = (await recentTickets(options.tickets, SHOWN_TICKETS)).filter((ticket) => ticket.stateRemovedAt === null);
    const keyOf = (ticket: Pick<Ticket, 'id' | 'generation'>) => `${ticket.id}:${ticket.generation}`;
    const wanted = new Set(tickets.map(keyOf));
    for (const [key, entry] of shown) {
      if (wanted.has(key)) continue;
      shown.delete(key);
      await entry.queue.close().catch(() => undefined);
    }
    for (const ticket of tickets) {
      if (shown.has(keyOf(ticket))) continue;
      const queue = options.queueFor(ticket);
      shown.set(keyOf(ticket), { queue, adapter: new BullMQAdapter(queue, { readOnlyMode: true, displayName: `ticket ${ticket.id}` }) });
    }
    board.replaceQueues([...shown.values()].map((entry) => entry.adapter));
  }

  const followTickets: RequestHandler = (_req, _res, next) => {
    if (Date.now() - refreshedAt < refreshMs) return next();
    refreshing ??= refresh()
      .catch((error: unknown) => options.log.warn({ err: error }, 'board queue list not refreshed'))
      .finally(() => {
        refreshedAt = Date.now();
        refreshing = null;
      });
    refreshing.then(() => next(), next);
  };

  const router = express.Router();
  router.use(basicAuth(options.user, options.password, 'Bull Board'), followTickets, serverAdapter.getRouter() as Router);
  return {
    router,
    async close() {
      await Promise.all([...shown.values()].map((entry) => entry.queue.close().catch(() => undefined)));
      shown.clear();
    },
  };
}

/** The newest tickets (the store lists oldest first, so read the last pages). */
async function recentTickets(tickets: Pick<TicketStore, 'listTickets'>, count: number): Promise<Ticket[]> {
  const { total } = await tickets.listTickets({ page: 1, size: 1 });
  if (total === 0) return [];
  const lastPage = Math.ceil(total / count);
  const pages = await Promise.all(
    [lastPage - 1, lastPage].filter((page) => page >= 1).map((page) => tickets.listTickets({ page, size: count })),
  );
  return pages
    .flatMap((page) => page.items)
    .sort((a, b) => b.id - a.id)
    .slice(0, count);
}

/**
 * HTTP Basic auth with a constant-time comparison of both user and password, and a cap on
 * guessing: after 10 failed logins from one address within a minute, every attempt from it
 * (right or wrong) is answered 429 until that minute is over, so the 11th guess is never checked.
 * The failures are counted in this process's memory: each API process keeps its own count, so
 * behind N processes a client may try up to 10 x N times a minute.
 */
function basicAuth(user: string, password: string, realm: string): RequestHandler {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  const expectedUser = digest(user);
  const expectedPassword = digest(password);
  const failures = new RateLimiterMemory({ points: FAILED_LOGINS_PER_WINDOW, duration: FAILED_LOGIN_WINDOW_SECONDS });
  const tooMany = (msBeforeNext: number) =>
    new Problem('RATE_LIMITED', { headers: { 'Retry-After': String(Math.max(1, Math.ceil(msBeforeNext / 1000))) } });
  return async (req, res, next) => {
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const counted = await failures.get(address);
    if (counted && counted.consumedPoints >= FAILED_LOGINS_PER_WINDOW) return sendProblem(req, res, tooMany(counted.msBeforeNext));
    const credentials = parseBasic(req.headers.authorization);
    // Both comparisons always run, so timing says nothing about which part was wrong.
    const userMatches = timingSafeEqual(digest(credentials?.user ?? ''), expectedUser);
    const passwordMatches = timingSafeEqual(digest(credentials?.password ?? ''), expectedPassword);
    if (credentials && userMatches && passwordMatches) return next();
    // A request without credentials is how a browser asks for the login dialog: not a guess.
    if (credentials) await failures.penalty(address, 1);
    res.setHeader('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
    sendProblem(req, res, new Problem('UNAUTHORIZED'));
  };
}

function parseBasic(header: string | undefined): { user: string; password: string } | null {
  const match = header === undefined ? null : /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
