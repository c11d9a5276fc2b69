export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const round1 = (value: number): number => Math.round(value * 10) / 10;

/** Runs `once` `times` times, logging each run; the median of each numeric field. */
export async function repeatMedian<T extends Record<string, unknown>>(
  name: string,
  times: number,
  once: () => Promise<T>,
  log: (line: string) => void,
): Promise<T> {
  const runs: T[] = [];
  for (let i = 0; i < times; i++) {
    const result = await once();
    log(`${name} #${i + 1}: ${JSON.stringify(result)}`);
    runs.push(result);
  }
  return medianOf(runs);
}

/** Median of each numeric field across repetitions (the repetitions share one shape). */
export function medianOf<T extends Record<string, unknown>>(runs: T[]): T {
  const first = runs[0]!;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(first)) {
    const values = runs.map((run) => run[key]);
    out[key] = typeof values[0] === 'number' ? round1(median(values as number[])) : values.every((v) => v === true) ? true : values[0];
    if (typeof values[0] === 'boolean') out[key] = values.every(Boolean);
  }
  return out as T;
}
