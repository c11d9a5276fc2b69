import { runPool, sleep, TimedHttp } from '@ticketing/testkit';
import type { FaultInfra } from '../infra.js';
import { runScenario, sleepUntil, slice, type ScenarioReport, type ScenarioSize, type Stage } from './stage.js';

const OUTAGE_MS = 10_000;

/**
 * The database goes away for 10 s in the middle of a drop (the private MariaDB is shut down and
 * started again). Members the APIs have seen keep being accepted for a ticket they have seen
 * (requests wait in their queue, which is what the queue is for); workers retry the same batch
 * in order; once the database is back everything drains, and nothing FAILED because of it.
 */
export function databaseOutage(infra: FaultInfra, size: ScenarioSize = {}): Promise<ScenarioReport> {
  const members = size.members ?? 2000;
  const quantity = size.quantity ?? 1500;
  const mariadb = infra.mariadb;
  if (!mariadb) throw new Error('the database outage needs a private MariaDB (infra.mariadb)');
  return runScenario(
    { scenario: 'database-outage', title: `Database down ${OUTAGE_MS / 1000} s mid-drop (MariaDB shut down, restarted)` },
    infra,
    { WORKER_BATCH_SIZE: '50' },
    size,
    async (stage) => {
      const memberIds = await stage.members('outage', members);
      // Sent before, during and after the outage.
      const before = slice(memberIds, 0, Math.floor(members * 0.35));
      const during = slice(memberIds, before.length, Math.floor(members * 0.3));
      const after = memberIds.slice(before.length + during.length);
      await warmUp(stage, during);
      const ticketId = await stage.createTicket('outage', quantity);

      stage.beginDrop();
      await stage.ledger.submitPaced(ticketId, before, 'before', { concurrency: 64, ratePerSec: 200 });

      const downAt = Date.now();
      await mariadb.stop();
      stage.log(`database down at ${stage.elapsed(downAt)}`);
      const duringDrop = stage.ledger.submitPaced(ticketId, during, 'during', {
        concurrency: 32,
        ratePerSec: during.length / ((OUTAGE_MS - 2000) / 1000),
      });
      await sleep(1500);
      await stage.expectNotReady('database');
      await sleepUntil(downAt + OUTAGE_MS);
      await mariadb.start();
      const upAt = Date.now();
      stage.log(`database back at ${stage.elapsed(upAt)}`);
      stage.facts.outage = `${stage.elapsed(downAt)} to ${stage.elapsed(upAt)} (${upAt - downAt} ms)`;
      await duringDrop;
      await stage.ledger.submitPaced(ticketId, after, 'after', { concurrency: 64, ratePerSec: 200 });

      // The API answers from what it has seen: every submission made while the database was away
      // is acknowledged at its first attempt, not refused with 503 (nor worse).
      const duringEntries = stage.ledger.group('during');
      const refusedDuring = duringEntries.filter(
        (entry) => entry.attempts[0] && entry.attempts[0].sentAt < upAt && entry.attempts[0].status !== 202,
      );
      stage.facts['submissions during the outage'] = duringEntries.filter((entry) => (entry.attempts[0]?.sentAt ?? Infinity) < upAt).length;
      stage.facts['not acknowledged at once during the outage'] = refusedDuring.length;
      for (const entry of refusedDuring.slice(0, 10)) {
        const first = entry.attempts[0]!;
        stage.violation(
          `outage: member ${entry.memberId}'s submission at ${stage.elapsed(first.sentAt)} answered ${first.status} ${first.code ?? first.error ?? ''} ` +
            `after ${Math.round(first.receivedAt - first.sentAt)} ms (the API logged ${stage.cluster.serverTime(first.id) ?? '?'} ms) via ${first.api}, not 202`,
        );
      }
      if (refusedDuring.length > 10) stage.violation(`outage: ${refusedDuring.length - 10} more submissions not acknowledged at once`);

      const counts = await stage.finish({
        ticketId,
        totalQuantity: quantity,
        entries: [...stage.ledger.group('before'), ...duringEntries, ...stage.ledger.group('after')],
        faultEnds: [upAt],
        settleMs: 40_000,
      });
      stage.facts['batch retries logged by workers'] = stage.cluster.workers.reduce(
        (n, w) => n + w.count('batch failed; retrying the same batch'),
        0,
      );
      const polls = [...stage.ledger.pollStatuses].map(([status, n]) => `${status === 0 ? 'no answer' : status}: ${n}`).join(', ');
      stage.facts['poll answers'] = polls;
      return counts;
    },
  );
}

/**
 * Each API sees each of `memberIds` once (a submission for a warm-up ticket through both), so
 * that "a member the API has already seen" is true of them when the database goes away.
 */
async function warmUp(stage: Stage, memberIds: readonly number[]): Promise<void> {
  const ticketId = await stage.createTicket('outage-warm-up', memberIds.length);
  const http = new TimedHttp(32, 5000);
  try {
    await runPool(memberIds.length, 32, async (n) => {
      for (const api of stage.cluster.apiUrls()) {
        const answer = await http.post(`${api}/api/v1/tickets/${ticketId}/issue-requests`, { memberId: memberIds[n] });
        if (answer.status !== 202 && answer.status !== 200)
          throw new Error(`warm-up of member ${memberIds[n]} via ${api}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    });
  } finally {
    http.close();
  }
}
