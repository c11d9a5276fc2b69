import { waitUntil } from '@ticketing/testkit';
import type { FaultInfra } from '../infra.js';
import { runScenario, slice, type ScenarioReport, type ScenarioSize } from './stage.js';

/**
 * On a Redis Cluster (3 masters, 3 replicas, AOF), the master holding the hot ticket's slot is
 * SIGKILLed mid-drain; its replica takes over after the node timeout. Replication is asynchronous,
 * so the newest writes may be gone: the database stays the truth (no over-issue, no member
 * twice), a request the promoted replica never got polls FAILED QUEUE_DATA_LOST (never PENDING,
 * never 404: its id is sealed), submissions during the election are answered 503 with Retry-After
 * within a second, and APIs and workers carry on against the new master by themselves.
 */
export function redisClusterFailover(infra: FaultInfra, size: ScenarioSize = {}): Promise<ScenarioReport> {
  const members = size.members ?? 2000;
  const quantity = size.quantity ?? 1500;
  const cluster = infra.redisCluster;
  if (!cluster) throw new Error('the failover needs a Redis Cluster of its own (infra.redisCluster)');
  return runScenario(
    { scenario: 'redis-cluster-failover', title: "Redis Cluster: SIGKILL of the hot ticket's master mid-drain, its replica takes over" },
    infra,
    // Batches of 5 keep the drain behind the burst, so the killed master holds queued requests.
    { WORKER_BATCH_SIZE: '5' },
    size,
    async (stage) => {
      const memberIds = await stage.members('cluster-failover', members);
      const first = slice(memberIds, 0, Math.floor(members * 0.6));
      const fresh = memberIds.slice(first.length);
      const ticketId = await stage.createTicket('cluster-failover', quantity);
      // Any key of the ticket names its slot (packages/queue/src/keys.ts: the `{ticketId}` hash tag).
      const slotKey = `${infra.prefix}:issuance:{${ticketId}}:lock`;
      const master = await cluster.masterOf(slotKey);

      stage.beginDrop();
      const burst = stage.ledger.submitPaced(ticketId, first, 'before', { concurrency: 64, ratePerSec: 500 });
      await waitUntil(
        async () =>
          stage.ledger.group('before').filter((e) => e.ack).length >= first.length * 0.5 &&
          (await stage.db.ticket(ticketId)).issuedQuantity > 0,
        'burst half acknowledged and the drain under way',
        30_000,
        20,
      );
      const issuedAtKill = (await stage.db.ticket(ticketId)).issuedQuantity;
      const downAt = Date.now();
      await cluster.kill(master);
      stage.log(`master ${master} killed at ${stage.elapsed(downAt)}`);
      const promoted = await cluster.waitForFailover(slotKey, master);
      const upAt = Date.now();
      stage.log(`replica ${promoted} took over at ${stage.elapsed(upAt)}`);
      stage.facts.failover = `master :${master} killed at ${stage.elapsed(downAt)}, replica :${promoted} serving after ${upAt - downAt} ms`;
      stage.facts['issued when the master died'] = issuedAtKill;
      await burst;
      await stage.ledger.submitPaced(ticketId, fresh, 'after', { concurrency: 64, ratePerSec: 250 });

      const before = stage.ledger.group('before');
      const after = stage.ledger.group('after');
      const counts = await stage.finish({
        ticketId,
        totalQuantity: quantity,
        entries: [...before, ...after],
        allowForgotten: true,
        faultEnds: [upAt],
      });

      const g8 = stage.checkRedisOutage(before, downAt, upAt, `election ${stage.elapsed(downAt)} to ${stage.elapsed(upAt)}`);
      stage.facts['submissions sent during the election'] = g8.sentDuringOutage;
      stage.facts['slowest answer to them'] = `${g8.slowestDuringOutage.toFixed(0)} ms`;
      const lost = before.filter((e) => e.final?.reason === 'QUEUE_DATA_LOST').length;
      stage.facts['acknowledged, then lost by the failover (polled FAILED QUEUE_DATA_LOST)'] = lost;
      const notFound = [...before, ...after].filter((e) => e.notFound);
      if (notFound.length > 0)
        stage.violation(
          `${notFound.length} acknowledged requests polled 404 instead of FAILED QUEUE_DATA_LOST (first: member ${notFound[0]!.memberId})`,
        );
      const afterLost = after.filter((e) => e.final?.reason === 'QUEUE_DATA_LOST');
      if (afterLost.length > 0) stage.violation(`${afterLost.length} requests made after the failover were reported lost`);
      if (after.filter((e) => e.ack).length === 0 && counts.refused === 0)
        stage.violation('no request after the failover was answered: the new master is not in use');
      return counts;
    },
  );
}
