const WINDOW_MS = 30_000;

/**
 * The page's own estimate of the wait, for when the server gives none (`estimatedWaitMs` null or
 * absent): the rate at which the position fell over the last 30 s, applied to what is left.
 */
export class WaitEstimator {
  #samples: Array<{ at: number; position: number }> = [];

  add(at: number, position: number): void {
    this.#samples.push({ at, position });
    while (this.#samples.length > 2 && this.#samples[0]!.at < at - WINDOW_MS) this.#samples.shift();
  }

  /** Milliseconds until the position reaches 0, or null while the line has not moved. */
  estimateMs(): number | null {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last.at <= first.at) return null;
    const perMs = (first.position - last.position) / (last.at - first.at);
    return perMs > 0 ? last.position / perMs : null;
  }
}
