import autocannon, { type Options, type Result } from 'autocannon';
import { performance } from 'node:perf_hooks';
import { percentile, round1 } from './stats.js';

export interface CannonSummary {
  requests: number;
  perSecond: number;
  status: Record<string, number>;
  errors: number;
  /** Latency of the counted status (ms), from every response, not autocannon's histogram buckets. */
  p50: number;
  p95: number;
  p99: number;
  durationS: number;
}

/** Runs autocannon and collects the latency of every response whose status is `countStatus`. */
export function cannon(options: Options, countStatus = 202): Promise<CannonSummary> {
  const latencies: number[] = [];
  // autocannon's own duration moves in whole seconds, ±8 % on a 12 s run: time the responses here.
  const startedAt = performance.now();
  let lastResponseAt = startedAt;
  return new Promise((resolve, reject) => {
    const tracker = autocannon(options, (error: Error | null, result: Result) => {
      if (error) return reject(error);
      latencies.sort((a, b) => a - b);
      const status: Record<string, number> = {};
      for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) status[code] = count;
      const counted = status[String(countStatus)] ?? 0;
      const seconds = options.amount !== undefined ? (lastResponseAt - startedAt) / 1000 : result.duration;
      resolve({
        requests: result.requests.total,
        perSecond: Math.round(counted / seconds),
        status,
        errors: result.errors,
        p50: round1(percentile(latencies, 50)),
        p95: round1(percentile(latencies, 95)),
        p99: round1(percentile(latencies, 99)),
        durationS: round1(seconds),
      });
    });
    tracker.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastResponseAt = performance.now();
      if (statusCode === countStatus) latencies.push(responseTime);
    });
  });
}
