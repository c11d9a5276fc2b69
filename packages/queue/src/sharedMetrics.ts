import type { BatchReport, DrainObserver, Outcome } from '@ticketing/core';
import { metricsKey } from './keys.js';
import type { RedisClient } from './redis.js';

export type DecisionOutcome = 'ISSUED' | 'REJECTED_SOLD_OUT' | 'REJECTED_CLOSED' | 'FAILED';

export interface HistogramSnapshot {
  /** Cumulative counts, ascending; the last bucket is le = Infinity. */
  buckets: Array<{ le: number; count: number }>;
  sum: number;
  count: number;
}

export interface SharedMetricsSnapshot {
  decisions: Record<DecisionOutcome, number>;
  batchSize: HistogramSnapshot;
  decisionLatencySeconds: HistogramSnapshot;
}

const BATCH_SIZE_BUCKETS = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const OUTCOMES: DecisionOutcome[] = ['ISSUED', 'REJECTED_SOLD_OUT', 'REJECTED_CLOSED', 'FAILED'];

/**
 * Decisions happen in the workers but are scraped from the API's /metrics: the workers add their
 * counts to one Redis hash, so every API process reports the whole deployment's totals.
 */
export class SharedMetrics implements DrainObserver {
  readonly #key: string;

  constructor(
    private readonly redis: RedisClient,
    options: { prefix: string },
  ) {
    this.#key = metricsKey(options.prefix);
  }

  batchDecided({ outcomes, acceptedAts, decidedAt }: BatchReport): void {
    const increments = new Map<string, number>();
    const add = (field: string, by: number) => increments.set(field, (increments.get(field) ?? 0) + by);
    for (const outcome of outcomes) add(`decisions:${outcomeName(outcome)}`, 1);
    observe(add, 'batch_size', BATCH_SIZE_BUCKETS, outcomes.length);
    for (const acceptedAt of acceptedAts) observe(add, 'latency', LATENCY_BUCKETS, Math.max(0, decidedAt - acceptedAt) / 1000);

    const pipeline = this.redis.pipeline();
    for (const [field, by] of increments) {
      if (Number.isInteger(by)) pipeline.hincrby(this.#key, field, by);
      else pipeline.hincrbyfloat(this.#key, field, by);
    }
    // Metrics never hold up or fail a batch.
    pipeline.exec().catch(() => undefined);
  }

  async read(): Promise<SharedMetricsSnapshot> {
    const fields = await this.redis.hgetall(this.#key);
    const value = (field: string) => Number(fields[field] ?? 0);
    const decisions = Object.fromEntries(OUTCOMES.map((o) => [o, value(`decisions:${o}`)])) as Record<DecisionOutcome, number>;
    return {
      decisions,
      batchSize: histogram(value, 'batch_size', BATCH_SIZE_BUCKETS),
      decisionLatencySeconds: histogram(value, 'latency', LATENCY_BUCKETS),
    };
  }
}

function outcomeName(outcome: Outcome): DecisionOutcome {
  return outcome.status === 'REJECTED' ? `REJECTED_${outcome.reason}` : outcome.status;
}

function observe(add: (field: string, by: number) => void, name: string, bounds: number[], sample: number): void {
  const bucket = bounds.find((le) => sample <= le);
  add(`${name}:le:${bucket ?? 'inf'}`, 1);
  add(`${name}:sum`, sample);
  add(`${name}:count`, 1);
}

function histogram(value: (field: string) => number, name: string, bounds: number[]): HistogramSnapshot {
  let cumulative = 0;
  const buckets = [...bounds, Infinity].map((le) => {
    cumulative += value(`${name}:le:${le === Infinity ? 'inf' : le}`);
    return { le, count: cumulative };
  });
  return { buckets, sum: value(`${name}:sum`), count: value(`${name}:count`) };
}
