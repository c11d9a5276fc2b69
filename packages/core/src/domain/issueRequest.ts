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

/** The answer to "what happened to my request", as the API shows it. */
export interface IssueRequestView {
  requestId: string;
  ticketId: number;
  memberId: number;
  status: IssueRequestStatus;
  reason: string | null;
  issueNumber: number | null;
  memberTicketId: number | null;
  acceptedAt: Date | null;
  decidedAt: Date | null;
}

export function pendingView(request: QueuedRequest): IssueRequestView {
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
  };
}

/** A request the queue lost (Redis restarted empty, or failed over losing writes). */
export function lostView(requestId: string, ticketId: number, memberId: number): IssueRequestView {
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
  };
}

export function isLost(view: IssueRequestView): boolean {
  return view.status === 'FAILED' && view.reason === 'QUEUE_DATA_LOST';
}

export function decidedView(request: QueuedRequest, outcome: Outcome): IssueRequestView {
  return {
    ...pendingView(request),
    status: outcome.status,
    reason: outcome.status === 'ISSUED' ? null : outcome.reason,
    issueNumber: outcome.status === 'ISSUED' ? outcome.issueNumber : null,
    memberTicketId: outcome.status === 'ISSUED' ? outcome.memberTicketId : null,
    decidedAt: new Date(outcome.decidedAt),
  };
}
