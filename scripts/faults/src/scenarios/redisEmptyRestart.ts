import { Redis } from 'ioredis';
import { waitUntil } from '@ticketing/testkit';
import type { FaultInfra } from '../infra.js';
import { runScenario, slice, type ScenarioReport, type ScenarioSize } from './stage.js';

/**
 * Redis crashes mid-drop and comes back EMPTY (no persistence): queued requests, locks, fencing
 * counter, sold-out flags and the one-request-per-member index are gone. The database is the
 * truth: never more than totalQuantity rows, no member twice (not even members who ask again),
 * new requests work, and every request acknowledged before the crash ends decided or is reported
 * forgotten (404, or FAILED QUEUE_DATA_LOST), never PENDING forever.
 */
export function redisEmptyRestart(infra: FaultInfra, size: ScenarioSize = {}): Promise<ScenarioReport> {
  const members = size.members ?? 2000;
  const quantity = size.quantity ?? 1500;
  const redis = infra.redis;
  if (redis?.persistence !== 'none') throw new Error('the empty restart needs a private Redis without persistence (infra.redis)');
  return runScenario(
    { scenario: 'redis-empty-restart', title: 'Redis SIGKILL and restart EMPTY mid-drop (no persistence)' },
    infra,
    // Batches of 2 keep the drain behind the burst, so Redis has queued requests to lose.
    { WORKER_BATCH_SIZE: '2' },
    size,
    async (stage) => {
      const memberIds = await stage.members('redis-empty', members);
      const first = slice(memberIds, 0, Math.floor(members * 0.6));
      const fresh = memberIds.slice(first.length);
      const ticketId = await stage.createTicket('redis-empty', quantity);

      // Faster than batches of 2 drain, so that requests are still queued when Redis loses them.
      stage.beginDrop();
      const burst = stage.ledger.submitPaced(ticketId, first, 'before', { concurrency: 64, ratePerSec: 500 });
      await waitUntil(
        () => stage.ledger.group('before').filter((e) => e.ack).length >= first.length * 0.7,
        'burst acknowledged',
        20_000,
        5,
      );
      const queued = await queueLength(redis.url, infra.prefix, ticketId);
      const downAt = Date.now();
      await redis.restart('kill');
      const upAt = Date.now();
      const holdersAtCrash = stage.ledger.group('before').filter((e) => e.final?.status === 'ISSUED');
      stage.log(`redis emptied at ${stage.elapsed(downAt)}`);
      stage.facts['redis restart'] = `killed at ${stage.elapsed(downAt)}, answering again (empty) after ${upAt - downAt} ms`;
      stage.facts['queued at the crash'] = queued;
      await burst;

      // New members after the restart, and members already holding a ticket asking again.
      const again = holdersAtCrash.slice(0, 100).map((e) => e.memberId);
      await Promise.all([
        stage.ledger.submitPaced(ticketId, fresh, 'after', { concurrency: 64, ratePerSec: 250 }),
        stage.ledger.submitPaced(ticketId, again, 'again', { concurrency: 16, ratePerSec: 50 }),
      ]);

      const counts = await stage.finish({
        ticketId,
        totalQuantity: quantity,
        entries: [...stage.ledger.group('before'), ...stage.ledger.group('after')],
        resubmissions: stage.ledger.group('again'),
        allowForgotten: true,
        faultEnds: [upAt],
      });

      // Requests made after the restart are ordinary requests: none may be forgotten.
      const afterForgotten = stage.ledger.group('after').filter((e) => e.notFound || e.final?.reason === 'QUEUE_DATA_LOST');
      if (afterForgotten.length > 0) stage.violation(`${afterForgotten.length} requests made after the restart were reported forgotten`);
      const before = stage.ledger.group('before');
      stage.facts['forgotten, polled 404'] = before.filter((e) => e.notFound).length;
      stage.facts['forgotten, polled FAILED QUEUE_DATA_LOST'] = before.filter((e) => e.final?.reason === 'QUEUE_DATA_LOST').length;
      const againOutcomes = new Map<string, number>();
      for (const e of stage.ledger.group('again')) {
        const key = e.refusal
          ? `${e.refusal.status} ${e.refusal.code}`
          : e.final
            ? `${e.final.status}${e.final.reason ? ` ${e.final.reason}` : ''}`
            : e.notFound
              ? '404'
              : 'undecided';
        againOutcomes.set(key, (againOutcomes.get(key) ?? 0) + 1);
      }
      stage.facts['holders asking again'] = [...againOutcomes].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
      if (again.length === 0) stage.violation('no member held a ticket when Redis crashed: the scenario missed its fault');
      return counts;
    },
  );
}

/** How many requests wait in the ticket's queue (BullMQ's wait list, see packages/queue/src/keys.ts). */
async function queueLength(url: string, prefix: string, ticketId: number): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    // The wait list is named after the ticket row's epoch too (keys.ts); this private Redis holds one row's.
    const lists = await redis.keys(`${prefix}:ticket-{${ticketId}}-*:wait`);
    const lengths = await Promise.all(lists.map((list) => redis.llen(list)));
    return lengths.reduce((sum, length) => sum + length, 0);
  } finally {
    redis.disconnect();
  }
}
