import { sleep } from '@ticketing/testkit';
import type { FaultInfra } from '../infra.js';
import { runScenario, sleepUntil, type ScenarioReport, type ScenarioSize } from './stage.js';

/**
 * A deploy mid-drop: SIGTERM to one API and to every worker at once. Each must exit 0 within
 * 10 s, the workers after committing their batch and releasing their lock (their drain ends
 * STOPPED). The other API keeps taking requests; new processes then finish the drop, with
 * nothing lost.
 */
export function gracefulShutdown(infra: FaultInfra, size: ScenarioSize = {}): Promise<ScenarioReport> {
  const members = size.members ?? 2000;
  const quantity = size.quantity ?? 1500;
  return runScenario(
    { scenario: 'graceful-shutdown', title: 'SIGTERM to 1 API and all 3 workers mid-drop, then new processes' },
    infra,
    { WORKER_BATCH_SIZE: '50' },
    size,
    async (stage) => {
      const memberIds = await stage.members('shutdown', members);
      const ticketId = await stage.createTicket('shutdown', quantity);
      const dropStart = stage.beginDrop();
      const drop = stage.ledger.submitPaced(ticketId, memberIds, 'drop', { concurrency: 64, ratePerSec: 200 });

      await sleepUntil(dropStart + 2500 + Math.random() * 1000);
      const holder = stage.cluster.holder(ticketId);
      const leaving = [stage.cluster.apis[0]!, ...stage.cluster.workers];
      const termAt = Date.now();
      stage.log(`SIGTERM to ${leaving.map((s) => s.name).join(', ')} at ${stage.elapsed(termAt)}`);
      const exits = await Promise.all(leaving.map((service) => service.stop('SIGTERM')));
      leaving.forEach((service, i) => {
        const exit = exits[i]!;
        if (exit.code !== 0 || exit.ms > 10_000)
          stage.violation(`${service.name} after SIGTERM mid-drop: exit ${exit.code ?? exit.signal} after ${exit.ms} ms`);
      });
      stage.facts['exits after SIGTERM'] = leaving
        .map((s, i) => `${s.name} ${exits[i]!.code ?? exits[i]!.signal} in ${exits[i]!.ms} ms`)
        .join(', ');
      if (holder) {
        const ended = holder.events.find((e) => e.msg === 'ticket drain ended' && e.ticketId === ticketId && e.at >= termAt);
        stage.facts['lock holder'] = `${holder.name}: drain ended ${ended?.result ?? 'without a word'}`;
        if (ended?.result !== 'STOPPED')
          stage.violation(
            `${holder.name} held the lock at SIGTERM and ended its drain with ${ended?.result ?? 'no log line'}, not STOPPED`,
          );
      }

      // A moment with no worker at all: requests keep queueing through the remaining API.
      await sleep(1000);
      await Promise.all([stage.cluster.addApi(), stage.cluster.addWorker(), stage.cluster.addWorker(), stage.cluster.addWorker()]);
      const backAt = Date.now();
      stage.log(`new processes ready at ${stage.elapsed(backAt)}`);
      await drop;
      return stage.finish({ ticketId, totalQuantity: quantity, entries: stage.ledger.group('drop'), faultEnds: [backAt] });
    },
  );
}
