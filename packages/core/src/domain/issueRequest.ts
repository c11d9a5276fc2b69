import type { MemberTicket } from './member.js';
import { type LineReading, placeInLine } from './placeInLine.js';

/** A request as it waits in its ticket's queue. */
export interface QueuedRequest {
  requestId: string;
  ticketId: number;
  memberId: number;
  /** Epoch milliseconds when the API accepted it. */
  acceptedAt: number;
}

export type RejectionReason = 'SOLD_OUT' | 'CLOSED';

/** Why a request ended FAILED: nothing about the member, something about the system. */
export type FailureReason = 'QUEUE_DATA_LOST' | 'TICKET_NOT_FOUND' | 'MEMBER_NOT_FOUND';

/** What decideBatch says about one request. */
export type Decision =
  | { status: 'ISSUED'; requestId: string; memberId: number; issueNumber: number }
  | { status: 'REJECTED'; requestId: string; memberId: number; reason: RejectionReason };

/** What the queue stores as a request's result once decided. */
export type Outcome =
  | { status: 'ISSUED'; issueNumber: number; memberTicketId: number; decidedAt: number }
  | { status: 'REJECTED'; reason: RejectionReason; decidedAt: number }
  | { status: 'FAILED'; reason: FailureReason; decidedAt: number };

export type IssueRequestStatus = 'PENDING' | Outcome['status'];

/** Where a request stands: the answer to "what happened to my request". */
export interface IssueRequestState {
  requestId: string;
  ticketId: number;
  memberId: number;
  status: IssueRequestStatus;
  reason: string | null;
  issueNumber: number | null;
  memberTicketId: number | null;
  acceptedAt: Date | null;
  decidedAt: Date | null;
  /** PENDING: requests ahead of it (G11), when the queue could tell; null once decided. */
  position: number | null;
  /** PENDING: the estimated wait at the recent pace, or null; null once decided. */
  estimatedWaitMs: number | null;
}

/** A request in the queue, not decided yet, at its place in line when the queue told it. */
export function pendingState(request: QueuedRequest, line: LineReading | null): IssueRequestState {
  const place = line === null ? null : placeInLine(line);
  return {
    ...undecided(request),
    position: place?.position ?? null,
    estimatedWaitMs: place?.estimatedWaitMs ?? null,
  };
}

function undecided(request: QueuedRequest): IssueRequestState {
  return {
    requestId: request.requestId,
    ticketId: request.ticketId,
    memberId: request.memberId,
    status: 'PENDING',
    reason: null,
    issueNumber: null,
    memberTicketId: null,
    acceptedAt: new Date(request.acceptedAt),
    decidedAt: null,
    position: null,
    estimatedWaitMs: null,
  };
}

/** A request the queue lost (Redis restarted empty, or failed over losing writes). */
export function lostState(requestId: string, ticketId: number, memberId: number): IssueRequestState {
  return {
    requestId,
    ticketId,
    memberId,
    status: 'FAILED',
    reason: 'QUEUE_DATA_LOST',
    issueNumber: null,
    memberTicketId: null,
    acceptedAt: null,
    decidedAt: null,
    position: null,
    estimatedWaitMs: null,
  };
}

export function isLost(state: IssueRequestState): boolean {
  return state.status === 'FAILED' && state.reason === 'QUEUE_DATA_LOST';
}

/** A request the queue holds with its outcome. */
export function decidedState(request: QueuedRequest, outcome: Outcome): IssueRequestState {
  return {
    ...undecided(request),
    status: outcome.status,
    reason: outcome.status === 'ISSUED' ? null : outcome.reason,
    issueNumber: outcome.status === 'ISSUED' ? outcome.issueNumber : null,
    memberTicketId: outcome.status === 'ISSUED' ? outcome.memberTicketId : null,
    decidedAt: new Date(outcome.decidedAt),
  };
}

/**
 * A request the database holds an issued ticket for; acceptedAt is known only while the queue
 * still holds the request.
 */
export function issuedState(issue: MemberTicket, acceptedAt: number | null): IssueRequestState {
  return {
    requestId: issue.requestId,
    ticketId: issue.ticketId,
    memberId: issue.memberId,
    status: 'ISSUED',
    reason: null,
    issueNumber: issue.issueNumber,
    memberTicketId: issue.id,
    acceptedAt: acceptedAt === null ? null : new Date(acceptedAt),
    decidedAt: issue.issuedAt,
    position: null,
    estimatedWaitMs: null,
  };
}
