import { sleep, waitUntil } from '@ticketing/testkit';
import type { FaultInfra } from '../infra.js';
import { LOCK_TTL_MS, runScenario, sleepUntil, type ScenarioReport, type ScenarioSize } from './stage.js';

/** How long the holder stays frozen: well past its lock's lifetime, like a long GC pause. */
const FREEZE_MS = 2.5 * LOCK_TTL_MS;

/**
 * The lock holder is frozen (SIGSTOP) mid-drain for 2.5 lock lifetimes, then resumed (SIGCONT).
 * Another worker must take the ticket over meanwhile; the resumed one must not commit with its
 * stale token, and must notice it lost the lock: its drain ends with result LOST.
 */
export function workerFreeze(infra: FaultInfra, size: ScenarioSize = {}): Promise<ScenarioReport> {
  const members = size.members ?? 2000;
  const quantity = size.quantity ?? 1500;
  return runScenario(
    {
      scenario: 'worker-freeze',
      title: `Worker SIGSTOP for ${FREEZE_MS / 1000} s (${FREEZE_MS / LOCK_TTL_MS}× LOCK_TTL_MS), then SIGCONT`,
    },
    infra,
    { WORKER_BATCH_SIZE: '50' },
    size,
    async (stage) => {
      const memberIds = await stage.members('freeze', members);
      const ticketId = await stage.createTicket('freeze', quantity);
      const dropStart = stage.beginDrop();
      const drop = stage.ledger.submitPaced(ticketId, memberIds, 'drop', { concurrency: 64, ratePerSec: 250 });

      await sleepUntil(dropStart + 1500 + Math.random() * 1000);
      const holder = await stage.cluster.waitForHolder(ticketId, 2000);
      let frozenAt = Date.now();
      if (!holder) {
        stage.violation(`no worker held ticket ${ticketId}'s lock at ${stage.elapsed()}`);
      } else {
        const token = holder.holding.get(ticketId)!;
        holder.signal('SIGSTOP');
        frozenAt = Date.now();
        stage.log(`froze ${holder.name} (token ${token}) at ${stage.elapsed(frozenAt)}`);
        await sleep(FREEZE_MS);
        const takeover = stage.cluster.acquisitions(ticketId).find((a) => a.worker !== holder && a.at > frozenAt && a.token > token);
        holder.signal('SIGCONT');
        const resumedAt = Date.now();
        stage.facts.frozen = `${holder.name} (token ${token}) at ${stage.elapsed(frozenAt)} for ${resumedAt - frozenAt} ms`;
        if (takeover) stage.facts.takeover = `${takeover.worker.name} (token ${takeover.token}) after ${takeover.at - frozenAt} ms`;
        else stage.violation(`no other worker took ticket ${ticketId} over while ${holder.name} was frozen`);

        // The resumed worker must end that drain itself, saying it lost the lock.
        const ended = () =>
          holder.events.find(
            (e) => e.msg === 'ticket drain ended' && e.ticketId === ticketId && (e.fencingToken === token || e.at >= frozenAt),
          );
        await waitUntil(() => ended() !== undefined, `${holder.name} ends its drain after SIGCONT`, 5000).catch(() => undefined);
        const end = ended();
        stage.facts['frozen worker drain ended'] = end ? `${end.result} ${end.at - resumedAt} ms after SIGCONT` : 'never';
        if (end?.result !== 'LOST') {
          stage.violation(`${holder.name} resumed and ended its drain with ${end?.result ?? 'nothing within 5 s'}, not LOST`);
        }
        const stale = stage.cluster.workers.flatMap((w) =>
          w.events
            .filter((e) => e.msg === 'commit refused as stale')
            .map((e) => `${w.name} ${e.at >= resumedAt ? `+${e.at - resumedAt} ms after` : `${resumedAt - e.at} ms before`} SIGCONT`),
        );
        stage.facts['commits refused as stale'] = stale.join(', ') || 'none';
      }
      await drop;
      return stage.finish({ ticketId, totalQuantity: quantity, entries: stage.ledger.group('drop'), faultEnds: [frozenAt] });
    },
  );
}
