import type {
  Clock,
  IssueRequestState,
  LineTotals,
  MemberStore,
  RequestUpdates,
  Result,
  Submission,
  Ticket,
  TicketRef,
  TicketStore,
} from '@ticketing/core';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { TokenVerifier } from './adapter/in/web/auth/tokenVerifier.js';
import type { RateLimits } from './adapter/in/web/limits/rateLimits.js';
import type { WatchCaps } from './adapter/in/web/limits/watchCaps.js';
import type { TicketStatsFeed } from './adapter/in/web/streams/ticketStatsFeed.js';

/** The issue-request use cases, built with their adapters and bounds by the composition root. */
export interface IssueRequestUseCases {
  /** submitIssueRequest, answered within the submission deadline or failed QueueUnavailableError. */
  submit(ticketId: number, memberId: number): Promise<Result<Submission>>;
  /** getIssueRequest; a wait also ends early when `signal` aborts or the server is stopping. */
  read(requestId: string, waitMs: number, signal?: AbortSignal): Promise<Result<IssueRequestState>>;
  /**
   * followIssueRequest: the request's place, then its decision, until it is decided or `signal`
   * aborts; `known` is the request as the caller has just read it.
   */
  follow(requestId: string, signal: AbortSignal, updates: RequestUpdates, known?: IssueRequestState): Promise<Result<void>>;
  /** The ticket row's line in the queue: what entered it and what left it. */
  line(ticket: TicketRef): Promise<LineTotals>;
}

/** Everything the HTTP app talks to; composition.ts builds it from the configuration. */
export interface AppDeps {
  tickets: TicketStore;
  members: MemberStore;
  clock: Clock;
  issueRequests: IssueRequestUseCases;
  /** Drops the submissions' cached copy of a ticket this process just created or deleted. */
  forgetTicket(ticketId: number): void;
  /**
   * A ticket row is about to be deleted: its Redis state is to go RESULT_TTL_S later (retention,
   * G10). Rejects with QueueUnavailableError when Redis cannot take it.
   */
  removeStateLater(ticket: Pick<Ticket, 'id' | 'generation'>): Promise<void>;
  /** Whether each dependency answers: bounded in time, never rejecting (the pings do both). */
  health: { database(): Promise<boolean>; redis(): Promise<boolean> };
  /** /metrics serves it; the app adds its HTTP metrics to it. */
  registry: Registry;
  /** Bull Board, mounted at /admin/queues when present (it carries its own auth). */
  board?: RequestHandler | undefined;
  logger: Logger;
  /** Verifies bearer tokens (AUTH_JWT_SECRET or AUTH_JWKS_URL). */
  tokens: Pick<TokenVerifier, 'verify'>;
  /** RATE_SUBMIT_PER_MEMBER and RATE_PER_IP, counted in Redis with a per-process stand-in. */
  rateLimits: Pick<RateLimits, 'request' | 'submission'>;
  /** WATCH_PER_MEMBER and WATCH_MAX: who may hold a long-poll open, and how many this process holds. */
  watches: Pick<WatchCaps, 'admit'>;
  /** The per-ticket stats of GET /tickets/{id}/events, read once a second per process for all its streams. */
  ticketStats: Pick<TicketStatsFeed, 'follow'>;
  /** TRUST_PROXY, as Express's `trust proxy` takes it; undefined: the socket's address is the client's. */
  trustProxy?: boolean | number | string | undefined;
}
