import type { LineProgress } from '@ticketing/core';

/**
 * How often a ticket's followers in one process are told its progress at most. A hot drainer
 * completes about ten batches a second and each telling walks every follower (one per open event
 * stream), so the walks are bounded by time, not by the batch rate; event streams send at most 4
 * position events a second anyway.
 */
export const LINE_TELL_INTERVAL_MS = 250;

/**
 * The followers of one ticket's line in this process. The first progress after a quiet interval
 * is told at once; progress arriving within the interval waits for its end, and only the furthest
 * of it is told. The interval runs from the end of a walk and is at least twice the walk's own
 * length: with 10,000 streams a walk (a socket write each) takes a good part of a second on a busy
 * core, and walks back to back would starve everything else the process does, decisions included,
 * until every event came late. Slower walks tell each follower less often, never later.
 */
export class LineFollowers {
  readonly listeners = new Set<(progress: LineProgress) => void>();
  #latest: LineProgress | null = null;
  #untold = false;
  #timer: NodeJS.Timeout | null = null;
  /** A walk has run and its socket writes (flushed after it, in the same turn) are not yet timed. */
  #settling = false;
  #closed = false;
  #toldAt = Number.NEGATIVE_INFINITY;
  #restMs = 0;

  constructor(private readonly intervalMs: number = LINE_TELL_INTERVAL_MS) {}

  progress(progress: LineProgress): void {
    // A takeover's messages may arrive out of order: an older count is never told after a newer one.
    if (this.#latest !== null && progress.decided < this.#latest.decided) return;
    this.#latest = progress;
    this.#untold = true;
    if (this.#timer === null && !this.#settling) this.#schedule();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    const wait = this.#toldAt + this.#restMs - performance.now();
    if (wait <= 0) {
      this.#tell();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#tell();
    }, wait);
    this.#timer.unref();
  }

  #tell(): void {
    const progress = this.#latest;
    if (!this.#untold || progress === null || this.#closed) return;
    this.#untold = false;
    const startedAt = performance.now();
    for (const listener of this.listeners) listener(progress);
    // Node flushes each stream's write after the walk, in the same turn: the walk is timed once
    // they are done, and the rest runs from then, so a follower told late in it still has a whole
    // interval before the next.
    this.#settling = true;
    setImmediate(() => {
      this.#settling = false;
      this.#toldAt = performance.now();
      this.#restMs = Math.max(this.intervalMs, 2 * (this.#toldAt - startedAt));
      if (this.#untold && !this.#closed) this.#schedule();
    });
  }
}
