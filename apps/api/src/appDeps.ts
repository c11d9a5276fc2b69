import type { Clock, MemberStore, SubmissionQueue, TicketStore } from '@ticketing/core';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SubmissionLookups } from './adapter/out/cache/submissionLookups.js';

/** Everything the HTTP app talks to; composition.ts builds it from the configuration. */
export interface AppDeps {
  tickets: TicketStore;
  members: MemberStore;
  queue: SubmissionQueue;
  clock: Clock;
  /** Cached ticket and member reads, used only by submissions (the hot path). */
  lookups: SubmissionLookups;
  /** Whether each dependency answers: bounded in time, never rejecting (the pings do both). */
  health: { database(): Promise<boolean>; redis(): Promise<boolean> };
  /** /metrics serves it; the app adds its HTTP metrics to it. */
  registry: Registry;
  /** Bull Board, mounted at /admin/queues when present (it carries its own auth). */
  board?: RequestHandler | undefined;
  logger: Logger;
  /** Aborted when the server shuts down: long-polls answer at once instead of waiting on. */
  stopping?: AbortSignal | undefined;
}
