import type { Clock } from '../../src/index.js';

interface Sleeper {
  at: number;
  order: number;
  wake(): void;
}

/** Lets every callback that is ready run: the fakes answer in promise callbacks, never on timers. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock whose time moves only when the test moves it. sleep() waits until advance() or run()
 * brings the time to its end; sleepers wake in time order, each running before the next wakes.
 */
export class FakeClock implements Clock {
  #ms = 0;
  #order = 0;
  #sleepers: Sleeper[] = [];

  constructor(private readonly epochMs = Date.UTC(2026, 11, 1)) {}

  now(): Date {
    return new Date(this.epochMs + this.#ms);
  }

  monotonicMs(): number {
    return this.#ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#sleepers = this.#sleepers.filter((sleeper) => sleeper !== entry);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      const entry: Sleeper = { at: this.#ms + Math.max(0, ms), order: this.#order++, wake };
      this.#sleepers.push(entry);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  /** Moves the time forward by ms, waking every sleeper due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.#ms + ms;
    await settle();
    for (let next = this.#next(); next !== undefined && next.at <= target; next = this.#next()) {
      this.#ms = next.at;
      next.wake();
      await settle();
    }
    this.#ms = target;
  }

  /** Awaits work, moving the time to the next sleeper whenever everything left waits on the clock. */
  async run<T>(work: Promise<T>, limitMs = 600_000): Promise<T> {
    let finished = false;
    work.then(
      () => (finished = true),
      () => (finished = true),
    );
    const until = this.#ms + limitMs;
    for (;;) {
      await settle();
      if (finished) return work;
      const next = this.#next();
      if (next === undefined) throw new Error('stuck: the work waits on something other than the clock');
      if (next.at > until) throw new Error(`still running after ${limitMs} ms of fake time`);
      this.#ms = next.at;
      next.wake();
    }
  }

  #next(): Sleeper | undefined {
    return this.#sleepers.reduce<Sleeper | undefined>(
      (first, sleeper) =>
        first === undefined || sleeper.at < first.at || (sleeper.at === first.at && sleeper.order < first.order) ? sleeper : first,
      undefined,
    );
  }
}
