import type { FaultInfra } from '../infra.js';
import { runScenario, sleepUntil, type ScenarioReport, type ScenarioSize } from './stage.js';

/** When (ms into the drop) each kill may land: one random moment per window, while stock remains. */
const KILL_WINDOWS: Array<[number, number]> = [
  [800, 1800],
  [2600, 3600],
  [4400, 5400],
];

/**
 * The worker holding the ticket's lock is SIGKILLed at random moments of a drop (three times,
 * each time a fresh worker replaces it). Its batch may be peeked, committed or half-completed:
 * the next holder must find it at the head of the queue and decide it once.
 */
export function workerKill(infra: FaultInfra, size: ScenarioSize = {}): Promise<ScenarioReport> {
  const members = size.members ?? 2000;
  const quantity = size.quantity ?? 1500;
  return runScenario(
    { scenario: 'worker-kill', title: 'Worker SIGKILL mid-drain (lock holder, 3 times)' },
    infra,
    { WORKER_BATCH_SIZE: '50' },
    size,
    async (stage) => {
      const memberIds = await stage.members('kill', members);
      const ticketId = await stage.createTicket('kill', quantity);
      const dropStart = stage.beginDrop();
      const drop = stage.ledger.submitPaced(ticketId, memberIds, 'drop', { concurrency: 64, ratePerSec: 250 });

      const kills: Array<{ at: number; line: string }> = [];
      const replacements: Array<Promise<unknown>> = [];
      for (const [from, to] of KILL_WINDOWS) {
        await sleepUntil(dropStart + from + Math.random() * (to - from));
        const holder = await stage.cluster.waitForHolder(ticketId, 2000);
        if (!holder) {
          stage.violation(`no worker held ticket ${ticketId}'s lock at ${stage.elapsed()}`);
          continue;
        }
        const token = holder.holding.get(ticketId);
        holder.signal('SIGKILL');
        const at = Date.now();
        const exit = await holder.process.exited;
        if (exit.signal !== 'SIGKILL') stage.violation(`${holder.name} was to be killed but exited ${exit.code}`);
        kills.push({ at, line: `${holder.name} (token ${token}) at ${stage.elapsed(at)}` });
        stage.log(`killed ${kills.at(-1)!.line}`);
        replacements.push(stage.cluster.addWorker());
      }
      await Promise.all([drop, ...replacements]);

      stage.facts.kills = kills.length;
      stage.facts.killed = kills.map((kill) => kill.line).join('; ');
      stage.facts['lock acquisitions'] = stage.cluster.acquisitions(ticketId).length;
      if (kills.length !== KILL_WINDOWS.length) stage.violation(`${kills.length} of ${KILL_WINDOWS.length} kills made`);
      return stage.finish({
        ticketId,
        totalQuantity: quantity,
        entries: stage.ledger.group('drop'),
        faultEnds: kills.map((kill) => kill.at),
      });
    },
  );
}
