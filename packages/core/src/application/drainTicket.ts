import { decideBatch } from '../domain/decideBatch.js';
import type { Outcome } from '../domain/issueRequest.js';
import type { TicketRef } from '../domain/ticket.js';
import type { DecidedResult, IssueQueue, PeekedRequest, RetentionQueue, TicketLock } from '../ports/queue.js';
import type { Clock, DrainObserver, Logger } from '../ports/runtime.js';
import type { BatchMembers, StoredDrainState, TicketStore } from '../ports/stores.js';
import { Lease } from './lease.js';
import { removalDue, rowOf } from './retention.js';

export interface DrainSettings {
  batchSize: number;
  /** How long a holder keeps an empty queue's lock, waiting for more requests, before it retires. */
  idleMs: number;
  /** Longest pause between looks at an empty queue (the pause doubles from 1 ms up to this). */
  maxPollMs: number;
  /** Backoff between retries of a batch after an error: doubles from min to max. */
  retryMinMs: number;
  retryMaxMs: number;
  /** RESULT_TTL_S in ms: an ended ticket's Redis state is removed this long after its drain ends. */
  resultTtlMs: number;
}

export interface DrainDeps {
  store: Pick<TicketStore, 'loadDrainState' | 'readBatchMembers' | 'commitBatch'>;
  queue: Pick<IssueQueue, 'peekBatch' | 'completeBatch' | 'retireIfEmpty'> & Pick<RetentionQueue, 'scheduleRemoval'>;
  lock: TicketLock;
  clock: Clock;
  log: Logger;
  observer: DrainObserver;
  settings: DrainSettings;
}

export type DrainResult = 'BUSY' | 'DRAINED' | 'LOST' | 'STOPPED';

/**
 * Drains one ticket's queue while holding its lock: the oldest requests in batches, decided by
 * decideBatch, committed in one guarded transaction, then completed in the queue. A batch stays
 * at the head of the queue until it is completed, so an error, a crash or a lost lock leaves it
 * there for the next attempt or the next holder, in the same order; requests already committed
 * come back with their committed answer. The next batch is peeked and its members read while a
 * batch commits and completes (readAhead); it is decided only after that batch is completed.
 */
export async function drainTicket(deps: DrainDeps, ticket: TicketRef, stop: AbortSignal): Promise<DrainResult> {
  const { ticketId, epoch } = ticket;
  const acquiredAt = deps.clock.monotonicMs();
  const token = await deps.lock.acquire(ticket);
  if (token === null) return 'BUSY';
  const lease = new Lease(deps, ticket, token, acquiredAt);
  deps.log.info({ ticketId, epoch, fencingToken: token }, 'ticket lock acquired');
  try {
    const result = await drainHeld(deps, lease, stop);
    deps.log.info({ ticketId, epoch, fencingToken: lease.token, result }, 'ticket drain ended');
    return result;
  } finally {
    await lease.end();
  }
}

/** What the holder knows of its ticket: nothing (read it), that it does not exist, or its state. */
type TicketView = { kind: 'UNREAD' } | { kind: 'NOT_FOUND' } | { kind: 'FOUND'; state: StoredDrainState };

const UNREAD: TicketView = { kind: 'UNREAD' };

/** One attempt at a batch: its results and the ticket's state after them, or refused as stale. */
type BatchAttempt = { kind: 'DECIDED'; results: DecidedResult[]; ticket: TicketView } | { kind: 'STALE' };

/** The batch behind the one being committed, with what the database knew of its members. */
interface NextBatch {
  batch: PeekedRequest[];
  members: BatchMembers;
}

const NO_NEXT_BATCH: Promise<NextBatch | null> = Promise.resolve(null);

async function drainHeld(deps: DrainDeps, lease: Lease, stop: AbortSignal): Promise<DrainResult> {
  const { ticketId } = lease;
  const { settings, log, clock } = deps;
  let ticket: TicketView = UNREAD;
  let idleSince: number | null = null;
  let pollMs = 1;
  let failures = 0;
  let stale = 0;
  let next: NextBatch | null = null;

  while (!stop.aborted) {
    if (lease.lost) return 'LOST';
    // Used at most once: after an error, a stale commit or a lost lease the head is peeked again.
    const ahead = next;
    next = null;
    try {
      // Read when unknown; a missing ticket is looked for again on every turn.
      if (ticket.kind !== 'FOUND') {
        const state = rowOf(await deps.store.loadDrainState(ticketId), lease.ticket);
        if (state !== null && state.fencingToken >= lease.token) {
          // Redis's counter is behind the database's (Redis lost data): move past the last commit.
          const raised = await deps.lock.raiseFence(lease.ticket, lease.token, state.fencingToken);
          if (raised === null) return 'LOST';
          log.warn({ ticketId, fencingToken: raised, committedToken: state.fencingToken }, 'fencing token raised');
          lease.token = raised;
        }
        ticket = state === null ? { kind: 'NOT_FOUND' } : { kind: 'FOUND', state };
      }

      const batch = ahead?.batch ?? (await deps.queue.peekBatch(lease.ticket, lease.token, settings.batchSize));
      if (batch === null) return 'LOST';
      if (batch.length === 0) {
        const now = clock.monotonicMs();
        idleSince ??= now;
        // A holder paused (GC, SIGSTOP) inside the retirement finds its lease gone on waking: it
        // says so, since by now another worker may hold the ticket.
        if (now - idleSince >= settings.idleMs && (await deps.queue.retireIfEmpty(lease.ticket))) {
          await scheduleRemoval(deps, lease, ticket);
          return lease.lost ? 'LOST' : 'DRAINED';
        }
        await clock.sleep(pollMs, stop);
        pollMs = Math.min(pollMs * 2, settings.maxPollMs);
        continue;
      }
      idleSince = null;
      pollMs = 1;

      let attempt: BatchAttempt;
      let reading = NO_NEXT_BATCH;
      if (ticket.kind === 'FOUND') {
        const members = ahead?.members ?? (await deps.store.readBatchMembers(ticketId, memberIdsOf(batch)));
        reading = readAhead(deps, lease, batch);
        attempt = await decideAndCommit(deps, lease, ticket.state, batch, members);
      } else {
        attempt = { kind: 'DECIDED', results: failAll(batch, 'TICKET_NOT_FOUND', clock), ticket };
      }
      if (attempt.kind === 'STALE') {
        // Read the ticket again and decide the same batch anew. One retry settles a race; a
        // conflict that persists (inconsistent data) must not spin.
        ticket = UNREAD;
        stale += 1;
        if (stale > 1) await clock.sleep(backoff(settings, stale - 1), stop);
        continue;
      }
      stale = 0;
      ticket = attempt.ticket;
      const known = ticket.kind === 'FOUND' ? ticket.state : null;
      const soldOut = known !== null && known.issuedQuantity >= known.totalQuantity;
      if (!(await deps.queue.completeBatch(lease.ticket, lease.token, attempt.results, soldOut))) return 'LOST';
      report(deps, ticketId, batch, attempt.results);
      log.debug({ ticketId, batchSize: batch.length, issuedQuantity: known?.issuedQuantity }, 'batch decided');
      failures = 0;
      next = await reading;
    } catch (error) {
      // The same batch is retried, in order, after a pause; nothing behind it can overtake it.
      failures += 1;
      ticket = UNREAD;
      const delay = backoff(settings, failures);
      log.error({ ticketId, err: error, failures, retryInMs: delay }, 'batch failed; retrying the same batch');
      await clock.sleep(delay, stop);
    }
  }
  return 'STOPPED';
}

/**
 * Every request is decided: if the sale has ended (or will at its close), the ticket's Redis state
 * is to go RESULT_TTL_S later (retention.ts). A later drain moves the time later.
 */
async function scheduleRemoval(deps: DrainDeps, lease: Lease, ticket: TicketView): Promise<void> {
  if (ticket.kind === 'UNREAD') return;
  const state = ticket.kind === 'FOUND' ? ticket.state : null;
  const due = removalDue(state, deps.clock.now().getTime(), deps.settings.resultTtlMs);
  if (due !== null) await deps.queue.scheduleRemoval(lease.ticket, due);
}

/**
 * Peeks the batch behind `batch` and reads its members while `batch` commits and completes. The
 * read may come before that commit lands, so it may miss the commit's own rows; another holder's
 * commit is the guard's business, as for a read made in turn (it moves issued_quantity, so this
 * holder's next commit is STALE and the read is dropped). The commit writes rows only for members
 * of `batch`, and admission queues a member once per ticket, but Redis that lost data may queue
 * one twice: a next batch sharing a member with `batch` is read again in turn, as is one that fails.
 */
async function readAhead(deps: DrainDeps, lease: Lease, batch: readonly PeekedRequest[]): Promise<NextBatch | null> {
  // A short batch was the whole queue when peeked: later arrivals are peeked in turn, and a
  // trickling queue costs no extra round trip per batch.
  if (batch.length < deps.settings.batchSize) return null;
  try {
    const next = await deps.queue.peekBatch(lease.ticket, lease.token, deps.settings.batchSize, batch);
    if (next === null || next.length === 0) return null;
    const current = new Set(memberIdsOf(batch));
    const memberIds = memberIdsOf(next);
    if (memberIds.some((memberId) => current.has(memberId))) return null;
    return { batch: next, members: await deps.store.readBatchMembers(lease.ticketId, memberIds) };
  } catch (error) {
    deps.log.debug({ ticketId: lease.ticketId, err: error }, 'reading ahead failed; the next batch is read in turn');
    return null;
  }
}

function memberIdsOf(batch: readonly PeekedRequest[]): number[] {
  return batch.flatMap((entry) => (entry.request ? [entry.request.memberId] : []));
}

/** Decides and commits one batch from `state`; the answer carries the state after the batch. */
async function decideAndCommit(
  deps: DrainDeps,
  lease: Lease,
  state: StoredDrainState,
  batch: readonly PeekedRequest[],
  { committed, missingMemberIds }: BatchMembers,
): Promise<BatchAttempt> {
  const queued = batch.flatMap((entry) => (entry.request ? [entry.request] : []));
  const missing = new Set(missingMemberIds);
  const requests = missing.size === 0 ? queued : queued.filter((request) => !missing.has(request.memberId));
  const decided = decideBatch(state, requests, committed);
  const rowIds = new Map(committed.map((row) => [row.memberId, row.id]));
  let fencingToken = state.fencingToken;
  // The rows' issued_at and the queue's decidedAt are one time, so a poll answered from the
  // database (before the batch is completed in the queue) and one answered from the queue agree.
  const decidedAt = deps.clock.now().getTime();
  if (decided.newIssues.length > 0) {
    const commit = await deps.store.commitBatch({
      ticketId: lease.ticketId,
      fencingToken: lease.token,
      expectedIssuedQuantity: state.issuedQuantity,
      issues: decided.newIssues,
      issuedAt: decidedAt,
    });
    if (commit.kind === 'STALE') {
      deps.log.warn({ ticketId: lease.ticketId, fencingToken: lease.token }, 'commit refused as stale');
      return { kind: 'STALE' };
    }
    for (const row of commit.issues) rowIds.set(row.memberId, row.id);
    fencingToken = lease.token;
  }
  const after: StoredDrainState = { ...state, issuedQuantity: decided.issuedQuantity, fencingToken };

  const outcomes = new Map<string, Outcome>();
  for (const decision of decided.decisions) {
    outcomes.set(
      decision.requestId,
      decision.status === 'ISSUED'
        ? { status: 'ISSUED', issueNumber: decision.issueNumber, memberTicketId: rowId(rowIds, decision.memberId), decidedAt }
        : { status: 'REJECTED', reason: decision.reason, decidedAt },
    );
  }
  const results = batch.map(({ requestId, request }): DecidedResult => {
    const outcome = outcomes.get(requestId);
    if (outcome) return { requestId, outcome };
    if (request === null) return { requestId, outcome: { status: 'FAILED', reason: 'QUEUE_DATA_LOST', decidedAt } };
    // Admitted unverified while the database was away: the member's place goes back to the stock.
    return { requestId, outcome: { status: 'FAILED', reason: 'MEMBER_NOT_FOUND', decidedAt }, releasedMemberId: request.memberId };
  });
  return { kind: 'DECIDED', results, ticket: { kind: 'FOUND', state: after } };
}

function rowId(rowIds: ReadonlyMap<number, number>, memberId: number): number {
  const id = rowIds.get(memberId);
  if (id === undefined) throw new Error(`no member_ticket row for issued member ${memberId}`);
  return id;
}

function failAll(batch: readonly PeekedRequest[], reason: 'TICKET_NOT_FOUND', clock: Clock): DecidedResult[] {
  const decidedAt = clock.now().getTime();
  return batch.map(({ requestId }) => ({ requestId, outcome: { status: 'FAILED', reason, decidedAt } }));
}

function report(deps: DrainDeps, ticketId: number, batch: readonly PeekedRequest[], results: readonly DecidedResult[]): void {
  const acceptedAts = batch.flatMap((entry): number[] => (entry.request ? [entry.request.acceptedAt] : []));
  deps.observer.batchDecided({
    ticketId,
    outcomes: results.map((result) => result.outcome),
    acceptedAts,
    decidedAt: results[0]?.outcome.decidedAt ?? deps.clock.now().getTime(),
  });
}

function backoff(settings: DrainSettings, attempt: number): number {
  return Math.min(settings.retryMaxMs, settings.retryMinMs * 2 ** (attempt - 1));
}
