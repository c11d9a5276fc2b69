import type { RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';

// HTTP metrics: counted here, per process.

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Counts every answered request by method, route pattern (never the raw URL: ids would make the
 * label set unbounded) and status, and times it.
 */
export function httpMetrics(registry: Registry): RequestHandler {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests =
    existing<Counter<(typeof labelNames)[number]>>(registry, 'http_requests_total') ??
    new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames,
      registers: [registry],
    });
  const duration =
    existing<Histogram<(typeof labelNames)[number]>>(registry, 'http_request_duration_seconds') ??
    new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status',
      labelNames,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });

  // One pair of labelled series per method, route and status, looked up by a plain string: the
  // label sets are few, and prom-client would otherwise hash the label object on every request.
  const series = new Map<string, { count: { inc(): void }; time: { observe(seconds: number): void } }>();
  const seriesOf = (method: string, route: string, status: number) => {
    const key = `${method} ${route} ${status}`;
    let found = series.get(key);
    if (!found) {
      const labels = { method, route, status: String(status) };
      found = { count: requests.labels(labels), time: duration.labels(labels) };
      series.set(key, found);
    }
    return found;
  };

  return (req, res, next) => {
    const startedAt = process.hrtime.bigint();
    res.once('close', () => {
      const { count, time } = seriesOf(req.method, String(res.locals.route ?? '(unmatched)'), res.statusCode);
      count.inc();
      time.observe(Number(process.hrtime.bigint() - startedAt) / 1e9);
    });
    next();
  };
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}
