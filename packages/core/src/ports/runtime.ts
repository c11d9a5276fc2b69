import type { Outcome } from '../domain/issueRequest.js';

/**
 * Time as the core sees it. The processes pass systemClock; unit tests pass a fake one, so every
 * wait and every lifetime in the core can be driven without waiting.
 */
export interface Clock {
  /** Wall-clock time, for what is stored or shown (decidedAt, the sales window). */
  now(): Date;
  /** Milliseconds on a monotonic clock, for measuring intervals only (lock lifetime, idle time). */
  monotonicMs(): number;
  /** Resolves after ms, or as soon as signal aborts (at once when it already has); never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
  sleep(ms, signal) {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};

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
