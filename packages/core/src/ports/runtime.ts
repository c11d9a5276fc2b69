import type { Outcome } from '../domain/issueRequest.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The subset of pino the core logs through. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface BatchReport {
  ticketId: number;
  outcomes: readonly Outcome[];
  /** acceptedAt of each request with a known one (epoch ms), for enqueue→decision latency. */
  acceptedAts: readonly number[];
  decidedAt: number;
}

/** Told about each completed batch; metrics live behind it. */
export interface DrainObserver {
  batchDecided(report: BatchReport): void;
}
