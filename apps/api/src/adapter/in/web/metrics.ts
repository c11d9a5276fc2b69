import type { HistogramSnapshot, SharedMetricsSnapshot } from '@ticketing/queue';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';

// ---- HTTP: counted here, per process

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Counts every answered request by method, route pattern (never the raw URL: ids would make the
 * label set unbounded) and status, and times it.
 */
export function httpMetrics(registry: Registry): RequestHandler {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = existing<Counter<(typeof labelNames)[number]>>(registry, 'http_requests_total') ??
    new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames, registers: [registry] });
  const duration = existing<Histogram<(typeof labelNames)[number]>>(registry, 'http_request_duration_seconds') ??
    new Histogram({ name: 'http_request_duration_seconds', help: 'Time to answer an HTTP request, by method, route pattern and status', labelNames, buckets: DURATION_BUCKETS, registers: [registry] });

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

// ---- Queue and decisions: kept in Redis by the workers, read at scrape time

/** Where the queue metrics come from; both reads go to Redis. */
export interface QueueMetricsSource {
  decisions(): Promise<SharedMetricsSnapshot>;
  queueDepths(): Promise<ReadonlyArray<{ ticketId: number; waiting: number }>>;
}

export interface MetricsLogger {
  warn(fields: object, message: string): void;
}

/**
 * Registers the deployment-wide queue metrics. A scrape reads Redis once (shared by the three
 * decision metrics); when Redis cannot answer, those metrics are left out of that scrape and the
 * rest of /metrics is still served.
 */
export function registerQueueMetrics(registry: Registry, source: QueueMetricsSource, log: MetricsLogger): void {
  const snapshot = sharedRead(() => source.decisions(), log, 'decision metrics unavailable');

  new Gauge({
    name: 'issue_queue_depth',
    help: 'Requests waiting in a ticket queue',
    labelNames: ['ticket_id'],
    registers: [registry],
    async collect() {
      this.reset();
      const depths = await source.queueDepths().catch((error: unknown) => {
        log.warn({ err: error }, 'queue depth unavailable');
        return [];
      });
      for (const { ticketId, waiting } of depths) this.set({ ticket_id: String(ticketId) }, waiting);
    },
  });

  new Counter({
    name: 'issue_decisions_total',
    help: 'Issue requests decided by the workers, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      const current = await snapshot();
      this.reset();
      if (!current) return;
      for (const [outcome, count] of Object.entries(current.decisions)) this.inc({ outcome }, count);
    },
  });

  registry.registerMetric(
    snapshotHistogram('issue_batch_size', 'Requests decided per worker batch (one transaction)', async () => (await snapshot())?.batchSize ?? null),
  );
  registry.registerMetric(
    snapshotHistogram(
      'issue_decision_latency_seconds',
      'Time from a request being accepted (enqueued) to its decision',
      async () => (await snapshot())?.decisionLatencySeconds ?? null,
    ),
  );
}

/** One read per scrape: callers arriving within a short window share it. */
function sharedRead<T>(read: () => Promise<T>, log: MetricsLogger, warning: string): () => Promise<T | null> {
  let pending: Promise<T | null> | null = null;
  return () => {
    pending ??= read()
      .catch((error: unknown) => {
        log.warn({ err: error }, warning);
        return null;
      })
      .finally(() => setTimeout(() => (pending = null), 250).unref());
    return pending;
  };
}

/**
 * A histogram whose buckets were counted elsewhere (by the workers, in Redis): prom-client's own
 * Histogram can only observe, so this small metric hands the registry the snapshot as it is.
 */
function snapshotHistogram(name: string, help: string, read: () => Promise<HistogramSnapshot | null>): Metric {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    collect: () => undefined,
    reset: () => undefined,
    async get() {
      const snapshot = await read();
      const values = snapshot
        ? [
            ...snapshot.buckets.map(({ le, count }) => ({ metricName: `${name}_bucket`, labels: { le: le === Infinity ? '+Inf' : le }, value: count })),
            { metricName: `${name}_sum`, labels: {}, value: snapshot.sum },
            { metricName: `${name}_count`, labels: {}, value: snapshot.count },
          ]
        : [];
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
  };
  return metric as unknown as Metric;
}
