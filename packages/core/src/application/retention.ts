import type { TicketRef } from '../domain/ticket.js';
import type { RetentionQueue, TicketLock } from '../ports/queue.js';
import type { Clock, Logger } from '../ports/runtime.js';
import type { StoredDrainState, TicketStore } from '../ports/stores.js';

export interface RetentionDeps {
  store: Pick<TicketStore, 'loadDrainState' | 'markStateRemoved'>;
  queue: RetentionQueue;
  lock: TicketLock;
  clock: Clock;
  log: Logger;
  /** RESULT_TTL_S in ms: how long an ended ticket's Redis state is kept. */
  resultTtlMs: number;
}

/**
 * When a ticket row's Redis state may be removed, judged when its queue is empty (every request
 * decided): RESULT_TTL_S after its sale ended (sold out, closed, or the row is gone), or after it
 * closes if it closes later; null while it is open for good.
 */
export function removalDue(state: StoredDrainState | null, nowMs: number, ttlMs: number): number | null {
  if (state === null || state.issuedQuantity >= state.totalQuantity) return nowMs + ttlMs;
  if (state.closeAt === null) return null;
  return Math.max(state.closeAt, nowMs) + ttlMs;
}

/** The row `ticket` was made for, or null when it is gone (deleted, or another row reuses its id). */
export function rowOf(state: StoredDrainState | null, ticket: TicketRef): StoredDrainState | null {
  return state?.generation.startsWith(ticket.epoch) ? state : null;
}

export type RemovalResult = 'REMOVED' | 'BUSY' | 'QUEUED' | 'RESCHEDULED' | 'LOST';

/**
 * Removes an ended ticket row's Redis state, holding the ticket's lock (so no drainer runs and two
 * workers never race on it). Its sale is checked again from the database first. The first removal
 * step refuses new admissions (ENDED), a request that got in before stops the removal (QUEUED: the
 * drain decides it and schedules the removal again), and the row is marked only once everything is
 * gone, so a worker dying half-way leaves the schedule entry for the next one to finish.
 */
export async function removeEndedState(deps: RetentionDeps, ticket: TicketRef): Promise<RemovalResult> {
  const token = await deps.lock.acquire(ticket);
  if (token === null) return 'BUSY';
  try {
    const row = rowOf(await deps.store.loadDrainState(ticket.ticketId), ticket);
    const nowMs = deps.clock.now().getTime();
    const due = removalDue(row, nowMs, 0);
    if (due === null || due > nowMs) {
      // Not ended yet (it closes later): look again RESULT_TTL_S after it closes.
      if (due === null) await deps.queue.unscheduleRemoval(ticket);
      else await deps.queue.scheduleRemoval(ticket, due + deps.resultTtlMs);
      return 'RESCHEDULED';
    }
    for (;;) {
      const step = await deps.queue.removeState(ticket, token);
      if (step === 'MORE') continue;
      if (step !== 'REMOVED') return step;
      break;
    }
    if (row !== null) await deps.store.markStateRemoved(ticket.ticketId, row.generation, deps.clock.now());
    await deps.queue.unscheduleRemoval(ticket);
    deps.log.info({ ticketId: ticket.ticketId, epoch: ticket.epoch }, 'ended ticket state removed from Redis');
    return 'REMOVED';
  } finally {
    await deps.lock.release(ticket, token).catch((error: unknown) => {
      deps.log.warn({ ticketId: ticket.ticketId, err: error }, 'lock release failed; it expires by itself');
    });
  }
}
