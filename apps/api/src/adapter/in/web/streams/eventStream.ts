import type { Response } from 'express';

export interface EventStreamTiming {
  /** A comment line this often keeps proxies from closing a quiet stream. */
  heartbeatMs: number;
  /**
   * The stream ends after this long and the client reconnects (after `retryMs`), getting the
   * current state at once: a held connection, and the watch slot it takes, never outlives it.
   */
  lifetimeMs: number;
  retryMs: number;
}

export const EVENT_STREAM_TIMING: EventStreamTiming = { heartbeatMs: 15_000, lifetimeMs: 55_000, retryMs: 1000 };

/**
 * One Server-Sent Events response: `event:` / `data:` frames, heartbeats, an end. `ended`
 * aborts when the stream is over, whether the client left or the server ended it.
 */
export class EventStream {
  readonly #res: Response;
  readonly #ended = new AbortController();
  readonly #timers: NodeJS.Timeout[];

  constructor(res: Response, timing: EventStreamTiming = EVENT_STREAM_TIMING) {
    this.#res = res;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      // nginx buffers responses unless told not to; a buffered stream arrives all at once at the end.
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${timing.retryMs}\n\n`);
    res.once('close', () => this.end());
    this.#timers = [
      setInterval(() => this.#write(': keep-alive\n\n'), timing.heartbeatMs),
      setTimeout(() => this.end(), timing.lifetimeMs),
    ];
    for (const timer of this.#timers) timer.unref();
  }

  get ended(): AbortSignal {
    return this.#ended.signal;
  }

  send(event: string, data: unknown): void {
    this.#write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (this.#ended.signal.aborted) return;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#ended.abort();
    this.#res.end();
  }

  #write(frame: string): void {
    if (!this.#ended.signal.aborted) this.#res.write(frame);
  }
}

/**
 * Passes on the latest value at most once per interval: the first at once, the newest of those
 * that came during an interval at its end. A stream's position events are at most 4 a second
 * however fast the line moves.
 */
export class Throttle<T> {
  #last = Number.NEGATIVE_INFINITY;
  #pending: { value: T } | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly pass: (value: T) => void,
  ) {}

  push(value: T): void {
    const wait = this.#last + this.intervalMs - performance.now();
    if (wait <= 0 && this.#timer === null) {
      this.#last = performance.now();
      this.pass(value);
      return;
    }
    this.#pending = { value };
    this.#timer ??= setTimeout(
      () => {
        this.#timer = null;
        const pending = this.#pending;
        this.#pending = null;
        if (pending) {
          this.#last = performance.now();
          this.pass(pending.value);
        }
      },
      Math.max(0, wait),
    );
  }

  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = null;
  }
}
