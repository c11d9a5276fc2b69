import type { FaultInfra } from '../infra.js';
import { runScenario, sleepUntil, type ScenarioReport, type ScenarioSize } from './stage.js';

/**
 * Redis crashes (SIGKILL) mid-drop and restarts at once from its append-only file, written with
 * appendfsync always: every write Redis acknowledged is on disk, so every request the API
 * acknowledged must come back and be decided.
 */
export function redisAofRestart(infra: FaultInfra, size: ScenarioSize = {}): Promise<ScenarioReport> {
  const members = size.members ?? 2000;
  const quantity = size.quantity ?? 1500;
  const redis = infra.redis;
  if (redis?.persistence !== 'aof') throw new Error('the AOF restart needs a private Redis with AOF (infra.redis)');
  return runScenario(
    { scenario: 'redis-aof-restart', title: 'Redis SIGKILL and restart mid-drop, AOF with appendfsync always' },
    infra,
    { WORKER_BATCH_SIZE: '50' },
    size,
    async (stage) => {
      const memberIds = await stage.members('redis-aof', members);
      const ticketId = await stage.createTicket('redis-aof', quantity);
      const dropStart = stage.beginDrop();
      const drop = stage.ledger.submitPaced(ticketId, memberIds, 'drop', { concurrency: 64, ratePerSec: 250 });

      await sleepUntil(dropStart + 2000 + Math.random() * 1500);
      const downAt = Date.now();
      await redis.restart('kill');
      const upAt = Date.now();
      stage.log(`redis killed at ${stage.elapsed(downAt)}, back after ${upAt - downAt} ms`);
      stage.facts['redis restart'] = `killed at ${stage.elapsed(downAt)}, answering again after ${upAt - downAt} ms`;
      await drop;

      const entries = stage.ledger.group('drop');
      const counts = await stage.finish({ ticketId, totalQuantity: quantity, entries, faultEnds: [upAt] });
      const g8 = stage.checkRedisOutage(entries, downAt, upAt, `killed ${stage.elapsed(downAt)}, back ${stage.elapsed(upAt)}`);
      stage.facts['submissions sent during the restart'] =
        `${g8.sentDuringOutage}, slowest answered in ${g8.slowestDuringOutage.toFixed(0)} ms`;
      return counts;
    },
  );
}
