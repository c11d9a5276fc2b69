import type { HistogramSnapshot, SharedMetricsSnapshot } from '@ticketing/queue';
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';

// Queue and decision metrics: kept in Redis by the workers, read at scrape time.

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
    snapshotHistogram(
      'issue_batch_size',
      'Requests decided per worker batch (one transaction)',
      async () => (await snapshot())?.batchSize ?? null,
    ),
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
            ...snapshot.buckets.map(({ le, count }) => ({
              metricName: `${name}_bucket`,
              labels: { le: le === Infinity ? '+Inf' : le },
              value: count,
            })),
            { metricName: `${name}_sum`, labels: {}, value: snapshot.sum },
            { metricName: `${name}_count`, labels: {}, value: snapshot.count },
          ]
        : [];
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
  };
  return metric as unknown as Metric;
}
