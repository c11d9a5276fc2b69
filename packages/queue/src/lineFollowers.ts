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
 * of it is told.
 */
export class LineFollowers {
  readonly listeners = new Set<(progress: LineProgress) => void>();
  #latest: LineProgress | null = null;
  #untold = false;
  #timer: NodeJS.Timeout | null = null;
  #toldAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalMs: number = LINE_TELL_INTERVAL_MS) {}

  progress(progress: LineProgress): void {
    // A takeover's messages may arrive out of order: an older count is never told after a newer one.
    if (this.#latest !== null && progress.decided < this.#latest.decided) return;
    this.#latest = progress;
    this.#untold = true;
    if (this.#timer !== null) return;
    const wait = this.#toldAt + this.intervalMs - performance.now();
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

  close(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #tell(): void {
    const progress = this.#latest;
    if (!this.#untold || progress === null) return;
    this.#untold = false;
    for (const listener of this.listeners) listener(progress);
    // Taken after the walk: a follower told late in it still has a whole interval before the next.
    this.#toldAt = performance.now();
  }
}
