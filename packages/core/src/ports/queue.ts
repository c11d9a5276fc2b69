import type { Outcome, QueuedRequest } from '../domain/issueRequest.js';
import type { LineProgress, LineReading, LineTotals } from '../domain/placeInLine.js';
import type { SalesWindow, TicketRef } from '../domain/ticket.js';

export type Admission =
  /** This submission is the member's first: it must now be enqueued. */
  | { kind: 'ADMITTED'; request: QueuedRequest }
  /** The member asked before; `request` is what enqueueing it again would add. */
  | { kind: 'EXISTING'; request: QueuedRequest }
  | { kind: 'REFUSED'; code: 'SOLD_OUT' | 'NOT_OPEN' | 'CLOSED' }
  /** The ticket's Redis state was removed after its sale ended: the database answers. */
  | { kind: 'ENDED' };

export interface AdmissionInput {
  ticketId: number;
  memberId: number;
  /** Once this many members have been admitted, the stock is spoken for: later ones are SOLD_OUT. */
  totalQuantity: number;
  window: SalesWindow;
  acceptedAt: number;
  /** The ticket row's generation: it names the queue and seals the request ids it hands out. */
  generation: string;
}

export type StoredRequest =
  /** `line`: where a pending request stands, when the queue can tell (null once decided). */
  | { kind: 'FOUND'; request: QueuedRequest; outcome: Outcome | null; line: LineReading | null }
  /**
   * The id is well formed but the queue does not hold it: lost by Redis, removed after the sale
   * ended, or made up. Only its ticket row's generation can tell (isSealed).
   */
  | { kind: 'ABSENT'; ticketId: number; memberId: number };

export interface DecisionWatch {
  /**
   * Resolves true as soon as the request is decided; false after timeoutMs, or as soon as
   * `signal` aborts (whoever was waiting has gone).
   */
  until(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  close(): void;
}

export interface DecidedResult {
  requestId: string;
  outcome: Outcome;
  /**
   * The member whose admission this decision gives back, so its place in the stock count goes to
   * whoever asks next: set when the request failed because the member does not exist.
   */
  releasedMemberId?: number;
}

export interface PeekedRequest {
  requestId: string;
  /** null when the queue still lists the request but its data is gone. */
  request: QueuedRequest | null;
}

/**
 * The submission side of the per-ticket FIFO of issue requests (the API's): admit (one request
 * per member), enqueue, look up, watch.
 */
export interface SubmissionQueue {
  /**
   * One request per member; refuses outside the sales window, when the ticket is sold out, and
   * when as many members as the ticket has stock were admitted already (each of them, being a
   * distinct member ahead in the queue, takes one unit: a newcomer could only be rejected).
   * Calls are decided in the order they are made, each seeing the ones before it, even when an
   * adapter sends concurrent calls to its store together.
   */
  admit(input: AdmissionInput): Promise<Admission>;
  /**
   * Idempotent per requestId: a request already in the queue is not added twice. Requests of one
   * ticket enter its queue in the order enqueue is called; a request whose call has resolved is
   * ahead of any enqueued after that (the order behind every 202). Each request gets its
   * sequence number in the ticket's line as it enters the queue, so sequence order is queue
   * order; the answer is its place then (null when the queue cannot tell, e.g. decided already).
   */
  enqueue(request: QueuedRequest): Promise<LineReading | null>;
  /** null: not an id the queue could have made. Found or not, the caller checks isSealed. */
  findRequest(requestId: string): Promise<StoredRequest | null>;
  /** Whether the queue made this id for the ticket row with this generation (not another row, not a client). */
  isSealed(requestId: string, generation: string): boolean;
  watchDecision(requestId: string): DecisionWatch;
  /**
   * Calls `listener` with the ticket's progress each time its drainer completes a batch, until the
   * returned function is called. One subscription serves every listener of the process.
   */
  watchLine(ticketId: number, listener: (progress: LineProgress) => void): () => void;
  /** The ticket row's line as it stands: what entered it, what left it and how. */
  readLine(ticket: TicketRef): Promise<LineTotals>;
}

/**
 * The drain side of the same queues (the workers'): besides listing the active tickets, every
 * call takes the caller's fencing token and does nothing when the caller no longer holds the
 * ticket's lock.
 */
export interface DrainQueue {
  /** Tickets that may have queued requests. */
  activeTickets(): Promise<TicketRef[]>;
  /**
   * The oldest `max` requests, oldest first, left in the queue until completed; null: lock lost.
   * With `behind` (a batch this caller peeked and has not completed), the `max` after it, to read
   * ahead while it commits; none when `behind` is no longer the head of the queue.
   */
  peekBatch(ticket: TicketRef, fencingToken: number, max: number, behind?: readonly PeekedRequest[]): Promise<PeekedRequest[] | null>;
  /**
   * Stores the results of the oldest requests (exactly those peeked, in order), removes them from
   * the queue and, when soldOut, flags the ticket sold out. false: lock lost, nothing written.
   */
  completeBatch(ticket: TicketRef, fencingToken: number, results: readonly DecidedResult[], soldOut: boolean): Promise<boolean>;
  /** Takes an empty queue off the active list; false when a request arrived meanwhile. */
  retireIfEmpty(ticket: TicketRef): Promise<boolean>;
}

/** What one call removing an ended ticket's Redis state did. */
export type StateRemoval =
  /** Some of it is gone (new admissions are refused ENDED from the first call on); call again. */
  | 'MORE'
  /** All of it is gone but the lock, which the caller releases. */
  | 'REMOVED'
  /** Requests are waiting (a late one got in): nothing more removed; the drain comes first. */
  | 'QUEUED'
  /** The lock is not held with this token: nothing removed. */
  | 'LOST';

/**
 * Retention (G10): when a ticket row's sale ended, its Redis state is removed RESULT_TTL_S later by
 * whichever worker gets to it first, under the ticket's lock.
 */
export interface RetentionQueue {
  /** Removal of this queue's state is due at `atMs` (epoch ms); a later call moves it. */
  scheduleRemoval(ticket: TicketRef, atMs: number): Promise<void>;
  unscheduleRemoval(ticket: TicketRef): Promise<void>;
  /** Queues whose removal is due at `nowMs`, the most overdue first, at most `max`. */
  dueRemovals(nowMs: number, max: number): Promise<TicketRef[]>;
  /** One bounded step of the removal, by the lock holder. */
  removeState(ticket: TicketRef, fencingToken: number): Promise<StateRemoval>;
}

/** Both sides of the per-ticket FIFO. */
export interface IssueQueue extends SubmissionQueue, DrainQueue {}

/** One lock per ticket row's queue (TicketRef): rows that reuse an id never share a lock or a fence. */
export interface TicketLock {
  readonly ttlMs: number;
  /** A fresh fencing token when the lock was free, else null. */
  acquire(ticket: TicketRef): Promise<number | null>;
  /** Extends the lock; false when it is no longer held with this token. */
  renew(ticket: TicketRef, fencingToken: number): Promise<boolean>;
  release(ticket: TicketRef, fencingToken: number): Promise<void>;
  /**
   * Re-issues the held lock with a token above `floor` (the database's last committed token), for
   * when Redis lost its counter. null when the lock is not held with `fencingToken`.
   */
  raiseFence(ticket: TicketRef, fencingToken: number, floor: number): Promise<number | null>;
}
