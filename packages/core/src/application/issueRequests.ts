import { fail, ok, StoreUnavailableError, type Result } from '../domain/errors.js';
import { decidedState, isLost, issuedState, lostState, pendingState, type IssueRequestState } from '../domain/issueRequest.js';
import type { MemberTicket } from '../domain/member.js';
import { salesWindow, ticketStatus, type Ticket } from '../domain/ticket.js';
import type { StoredRequest, SubmissionQueue } from '../ports/queue.js';
import type { Clock } from '../ports/runtime.js';
import type { MemberStore, TicketStore } from '../ports/stores.js';

export interface IssueRequestDeps {
  tickets: Pick<TicketStore, 'findTicket' | 'findIssueByRequestId' | 'findIssueOfMember'>;
  /** The ticket as the database has it now (the API caches `tickets.findTicket`). */
  freshTickets: Pick<TicketStore, 'findTicket'>;
  members: Pick<MemberStore, 'memberExists'>;
  queue: SubmissionQueue;
  clock: Clock;
}

export interface Submission {
  /** false when the member had asked before: the answer is that earlier request. */
  created: boolean;
  request: IssueRequestState;
}

/** Validated input in, queued request out: the whole of the API's hot path. */
export async function submitIssueRequest(deps: IssueRequestDeps, ticketId: number, memberId: number): Promise<Result<Submission>> {
  const [ticket, memberExists] = await Promise.all([
    deps.tickets.findTicket(ticketId),
    // When the database cannot tell, the member counts as existing and the request is queued (the
    // queue is there to ride out the outage); the worker, which needs the database to decide
    // anyway, fails it MEMBER_NOT_FOUND if need be. No adapter makes this call: only here.
    deps.members.memberExists(memberId).catch((error: unknown) => {
      if (error instanceof StoreUnavailableError) return true;
      throw error;
    }),
  ]);
  if (ticket === null) return fail('TICKET_NOT_FOUND');
  if (!memberExists) return fail('MEMBER_NOT_FOUND');
  if (ticket.stateRemovedAt !== null) return answerAfterRemoval(deps, ticket, memberId);

  const now = deps.clock.now();
  const admission = await deps.queue.admit({
    ticketId,
    memberId,
    totalQuantity: ticket.totalQuantity,
    window: salesWindow(ticket, now),
    acceptedAt: now.getTime(),
    generation: ticket.generation,
  });
  switch (admission.kind) {
    case 'REFUSED':
      return fail(admission.code);
    case 'ENDED':
      // Removed a moment ago, and this process's copy of the ticket does not say so yet.
      return answerAfterRemoval(deps, (await deps.freshTickets.findTicket(ticketId)) ?? ticket, memberId);
    case 'ADMITTED': {
      const line = await deps.queue.enqueue(admission.request);
      return ok({ created: true, request: pendingState(admission.request, line) });
    }
    case 'EXISTING': {
      // Without the database the earlier request reads as "not in the queue": enqueue it again,
      // which is safe even if it was issued (the worker answers a member's committed row).
      const earlier = await readIssueRequest(deps, admission.request.requestId).catch((error: unknown) => {
        if (error instanceof StoreUnavailableError) return null;
        throw error;
      });
      if (isExpired(earlier)) return answerAfterRemoval(deps, ticket, memberId);
      if (earlier !== null && !isLost(earlier)) return ok({ created: false, request: earlier });
      // Admitted by a submission whose enqueue has not landed yet, or never will (its API died in
      // between, or a failover kept the admission but lost the job). Enqueueing is idempotent per
      // requestId, so finishing it here is safe, and the member keeps one request id.
      const line = await deps.queue.enqueue(admission.request);
      return ok({ created: false, request: pendingState(admission.request, line) });
    }
  }
}

/**
 * After the ticket's Redis state was removed (its sale ended RESULT_TTL_S ago) the database
 * answers a member asking again: its issued ticket, or the refusal the ticket's state gives.
 */
async function answerAfterRemoval(
  deps: Pick<IssueRequestDeps, 'tickets' | 'clock'>,
  ticket: Ticket,
  memberId: number,
): Promise<Result<Submission>> {
  const issue = await deps.tickets.findIssueOfMember(ticket.id, memberId);
  if (issue !== null) return ok({ created: false, request: issuedState(issue, null) });
  return fail(ticketStatus(ticket, deps.clock.now()) === 'CLOSED' ? 'CLOSED' : 'SOLD_OUT');
}

export interface ReadDeps {
  /** findTicket may be cached: only the row's generation, which never changes, is read from it. */
  tickets: Pick<TicketStore, 'findIssueByRequestId' | 'findTicket'>;
  /** The ticket as the database has it now: whether its Redis state was removed. */
  freshTickets: Pick<TicketStore, 'findTicket'>;
  queue: Pick<SubmissionQueue, 'findRequest' | 'watchDecision' | 'isSealed'>;
}

/** A request the queue no longer holds because its ticket's Redis state was removed (410 to its member). */
export interface Expired {
  expired: true;
  memberId: number;
}

export const isExpired = (state: IssueRequestState | Expired | null): state is Expired => state !== null && 'expired' in state;

/** The 410 of an expired request, which only its member (or staff) may be told about. */
export const expiredProblem = <T>({ memberId }: Expired): Result<T> => fail('ISSUE_REQUEST_EXPIRED', { owner: memberId });

/**
 * The request's answer. The queue knows every request it holds; the database knows every issued
 * ticket and wins when the two disagree (a worker died between its commit and telling the queue).
 * Only ids sealed with their ticket row's generation count: an id of an earlier row with the same
 * ticket id (the database was reset or restored) or a made-up one is not found, whatever Redis holds.
 */
export async function readIssueRequest(deps: ReadDeps, requestId: string): Promise<IssueRequestState | Expired | null> {
  const stored = await deps.queue.findRequest(requestId);
  if (stored === null) return null;
  const sealed = await sealedForItsRow(deps, requestId, stored);
  if (!sealed) return null;
  if (stored.kind === 'FOUND' && stored.outcome) return decidedState(stored.request, stored.outcome);
  const pending = stored.kind === 'FOUND' ? stored.request : null;
  const line = stored.kind === 'FOUND' ? stored.line : null;
  let issue: MemberTicket | null;
  try {
    issue = await deps.tickets.findIssueByRequestId(requestId);
  } catch (error) {
    // Without the database a pending request is still pending as far as anyone can tell.
    if (error instanceof StoreUnavailableError && pending !== null) return pendingState(pending, line);
    throw error;
  }
  if (issue !== null) return issuedState(issue, pending?.acceptedAt ?? null);
  if (pending !== null) return pendingState(pending, line);
  if (stored.kind !== 'ABSENT') return null;
  // Sealed for this row, yet the queue does not hold it: removed after the sale ended, or lost by
  // Redis (restarted empty, or a failover dropped the last writes).
  const ticket = await deps.freshTickets.findTicket(stored.ticketId);
  if (ticket?.stateRemovedAt) return { expired: true, memberId: stored.memberId };
  return lostState(requestId, stored.ticketId, stored.memberId);
}

/**
 * Whether the queue made this id for the ticket row that now has its id. Without the database a
 * request the queue holds is taken as the queue's (as before the row's generation existed): polls
 * keep answering through a database outage, and only an outage during a database reset could fool it.
 */
async function sealedForItsRow(deps: ReadDeps, requestId: string, stored: StoredRequest): Promise<boolean> {
  const ticketId = stored.kind === 'FOUND' ? stored.request.ticketId : stored.ticketId;
  try {
    const ticket = await deps.tickets.findTicket(ticketId);
    return ticket !== null && deps.queue.isSealed(requestId, ticket.generation);
  } catch (error) {
    if (error instanceof StoreUnavailableError && stored.kind === 'FOUND') return true;
    throw error;
  }
}

/**
 * Answers at once when decided, else waits up to waitMs for the decision; a wait ends early, with
 * the request as it stands, when `signal` aborts.
 */
export async function getIssueRequest(
  deps: ReadDeps,
  requestId: string,
  waitMs: number,
  signal?: AbortSignal,
): Promise<Result<IssueRequestState>> {
  // Watch before reading, so a decision landing between the read and the wait is not missed.
  const watch = waitMs > 0 ? deps.queue.watchDecision(requestId) : null;
  try {
    let state = await readIssueRequest(deps, requestId);
    if (state !== null && !isExpired(state) && state.status === 'PENDING' && watch !== null) {
      // Read again even after a timeout: a missed wake-up must cost latency, never a stale answer.
      await watch.until(waitMs, signal);
      state = await readIssueRequest(deps, requestId);
    }
    if (isExpired(state)) return expiredProblem(state);
    return state === null ? fail('ISSUE_REQUEST_NOT_FOUND') : ok(state);
  } finally {
    watch?.close();
  }
}
