import { sleep } from '@ticketing/testkit';
import type { FaultInfra } from '../infra.js';
import { runScenario, sleepUntil, type ScenarioReport, type ScenarioSize } from './stage.js';

const DOWN_MS = 5000;

/**
 * Redis is shut down for 5 s mid-drop (with AOF, so it returns with its data). While it is away
 * every submission must be answered 503 QUEUE_UNAVAILABLE with Retry-After within a second, and
 * /readyz must name Redis; clients retry, and when Redis returns the APIs and the workers carry
 * on by themselves.
 */
export function redisDown(infra: FaultInfra, size: ScenarioSize = {}): Promise<ScenarioReport> {
  const members = size.members ?? 2000;
  const quantity = size.quantity ?? 1500;
  const redis = infra.redis;
  if (!redis) throw new Error('the Redis outage needs a private Redis (infra.redis)');
  return runScenario(
    { scenario: 'redis-down', title: `Redis down ${DOWN_MS / 1000} s mid-drop (shut down, restarted with its AOF)` },
    infra,
    { WORKER_BATCH_SIZE: '50' },
    size,
    async (stage) => {
      const memberIds = await stage.members('redis-down', members);
      const ticketId = await stage.createTicket('redis-down', quantity);
      const dropStart = stage.beginDrop();
      const drop = stage.ledger.submitPaced(ticketId, memberIds, 'drop', { concurrency: 64, ratePerSec: 200 });

      await sleepUntil(dropStart + 2500);
      const downAt = Date.now();
      await redis.stop();
      stage.log(`redis down at ${stage.elapsed(downAt)}`);
      await sleep(1500);
      await stage.expectNotReady('redis');
      await sleepUntil(downAt + DOWN_MS);
      await redis.start();
      const upAt = Date.now();
      stage.log(`redis back at ${stage.elapsed(upAt)}`);
      stage.facts['redis down'] = `${stage.elapsed(downAt)} to ${stage.elapsed(upAt)} (${upAt - downAt} ms)`;
      await drop;

      const entries = stage.ledger.group('drop');
      const counts = await stage.finish({ ticketId, totalQuantity: quantity, entries, faultEnds: [upAt] });

      // G8, measured on every attempt that was not acknowledged or refused SOLD_OUT.
      const g8 = stage.checkRedisOutage(entries, downAt, upAt, `down ${stage.elapsed(downAt)} to ${stage.elapsed(upAt)}`);
      stage.facts['submissions sent while Redis was down'] = g8.sentDuringOutage;
      stage.facts['slowest answer to them'] = `${g8.slowestDuringOutage.toFixed(0)} ms`;
      if (g8.sentDuringOutage === 0 || g8.unavailable === 0)
        stage.violation('no submission was answered 503 while Redis was down: the scenario missed its fault');
      const firstAck = Math.min(...entries.flatMap((e) => (e.ack && e.ack.receivedAt > upAt ? [e.ack.receivedAt] : [])));
      stage.facts['first 202 after Redis returned'] = Number.isFinite(firstAck) ? `${Math.round(firstAck - upAt)} ms` : 'never';
      return counts;
    },
  );
}
