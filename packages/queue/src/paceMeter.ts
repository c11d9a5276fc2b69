/** How far back a ticket's pace looks: long enough to smooth batches, short enough to follow a change. */
const WINDOW_MS = 5000;
/** Batches closer together than this say nothing reliable about a rate. */
const MIN_SPAN_MS = 50;

interface Sample {
  at: number;
  count: number;
}

/**
 * Each ticket's recent decisions per second, as its drainer completes batches: what a waiting
 * member's estimated wait is worked out from. Only the drainer measures it (one per ticket at a
 * time), so every API process reads the same figure from Redis.
 */
export class PaceMeter {
  readonly #samples = new Map<string, Sample[]>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Counts a completed batch of `count` decisions of a ticket's queue; the pace since the oldest batch in the window, or null. */
  record(ticket: string, count: number): number | null {
    const at = this.now();
    const samples = this.#samples.get(ticket) ?? [];
    samples.push({ at, count });
    while (samples.length > 1 && at - samples[0]!.at > WINDOW_MS) samples.shift();
    this.#samples.set(ticket, samples);
    const span = at - samples[0]!.at;
    if (samples.length < 2 || span < MIN_SPAN_MS) return null;
    // The oldest sample's decisions happened before its time: only what came after it counts.
    const decided = samples.slice(1).reduce((sum, sample) => sum + sample.count, 0);
    return (decided * 1000) / span;
  }

  /** A ticket this drainer let go of: its next holder measures afresh. */
  forget(ticket: string): void {
    this.#samples.delete(ticket);
  }
}
