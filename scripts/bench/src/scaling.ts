import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { redisReady } from '@ticketing/queue';
import { LocalRedisCluster } from '@ticketing/testkit';
import type { BenchContext } from './context.js';
import { drain, type DrainResult } from './drain.js';

export type Backend = 'redis' | 'cluster';

export interface ScalingRow {
  backend: Backend;
  tickets: number;
  workers: number;
  queued: number;
  decisionsPerSecond: number;
  drainMs: number;
  violations: number;
}

export const TICKET_COUNTS = [1, 10, 100] as const;
export const WORKER_COUNTS = [1, 2, 4] as const;

type Repeat = <T extends Record<string, unknown>>(name: string, times: number, once: () => Promise<T>) => Promise<T>;

/**
 * The capacity model's figures: the same total of queued requests spread over 1, 10 and 100
 * tickets, drained by 1, 2 and 4 worker processes, first on the single Redis, then on a local
 * Redis Cluster of 3 masters and 3 replicas started for the run (REDIS_CLUSTER_NODES).
 */
export async function scaling(ctx: BenchContext, totalQueued: number, repeat: Repeat, log: (line: string) => void): Promise<ScalingRow[]> {
  const rows: ScalingRow[] = [];
  await measure(ctx, 'redis', totalQueued, repeat, rows);
  const cluster = await LocalRedisCluster.start({ dir: await mkdtemp(join(tmpdir(), 'bench-redis-cluster-')) });
  log(`local Redis Cluster up: ${cluster.seedNodes}`);
  // The harness's own client is patient (ioredis defaults: offline queue, retries); the system's
  // processes use the product's fail-fast one through REDIS_CLUSTER_NODES.
  const redis = new Cluster(cluster.nodes.map(({ port }) => ({ host: '127.0.0.1', port })));
  try {
    await redisReady(redis, 10_000);
    const onCluster: BenchContext = { ...ctx, redis, systemEnv: { ...ctx.systemEnv, REDIS_CLUSTER_NODES: cluster.seedNodes } };
    await measure(onCluster, 'cluster', totalQueued, repeat, rows);
  } finally {
    redis.disconnect();
    await cluster.destroy();
  }
  return rows;
}

async function measure(ctx: BenchContext, backend: Backend, totalQueued: number, repeat: Repeat, rows: ScalingRow[]): Promise<void> {
  for (const tickets of TICKET_COUNTS) {
    const queuedPerTicket = Math.floor(totalQueued / tickets);
    for (const workers of WORKER_COUNTS) {
      type D = DrainResult & Record<string, unknown>;
      // Half of each queue is issued, half rejected SOLD_OUT: both kinds of decision are timed.
      const result = await repeat<D>(
        `scaling ${backend}, ${tickets} tickets, ${workers} workers`,
        ctx.repeats,
        () => drain(ctx, { tickets, queuedPerTicket, stockPerTicket: Math.ceil(queuedPerTicket / 2), workers }) as Promise<D>,
      );
      rows.push({
        backend,
        tickets,
        workers,
        queued: result.queued,
        decisionsPerSecond: result.decisionsPerSecond,
        drainMs: result.drainMs,
        violations: result.violations,
      });
    }
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The table for docs/SCALING.md: decisions per second, single Redis against the cluster. */
export function renderScalingTable(
  rows: readonly ScalingRow[],
  meta: { date: string; repeats: number; totalQueued: number; resultsFile: string; machine: string },
): string {
  const find = (backend: Backend, tickets: number, workers: number) =>
    rows.find((r) => r.backend === backend && r.tickets === tickets && r.workers === workers);
  const lines = [
    `Measured by \`npm run bench -- --cluster\` on ${meta.date.slice(0, 10)} (${meta.machine}); ${fmt(meta.totalQueued)} requests queued in all, spread evenly over the tickets, half of each ticket's queue issued; median of ${meta.repeats} runs; raw figures in \`${meta.resultsFile}\`. Decisions per second, from the moment the workers see the tickets until every queue is empty:`,
    '',
    '| tickets | workers | 1 Redis | 3-master cluster | cluster / 1 Redis | violations |',
    '|--:|--:|--:|--:|--:|--:|',
  ];
  for (const tickets of TICKET_COUNTS) {
    for (const workers of WORKER_COUNTS) {
      const single = find('redis', tickets, workers);
      const cluster = find('cluster', tickets, workers);
      if (!single || !cluster) continue;
      const ratio = single.decisionsPerSecond > 0 ? (cluster.decisionsPerSecond / single.decisionsPerSecond).toFixed(2) : '—';
      lines.push(
        `| ${tickets} | ${workers} | ${fmt(single.decisionsPerSecond)} | ${fmt(cluster.decisionsPerSecond)} | ${ratio} | ${single.violations + cluster.violations} |`,
      );
    }
  }
  return lines.join('\n');
}

const START = '<!-- scaling-figures:start -->';
const END = '<!-- scaling-figures:end -->';

/** Replaces the generated part of SCALING.md, leaving the prose around it alone. */
export function withScalingTable(document: string, table: string): string {
  const start = document.indexOf(START);
  const end = document.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/SCALING.md lacks the ${START} … ${END} markers`);
  return `${document.slice(0, start + START.length)}\n${table}\n${document.slice(end)}`;
}
