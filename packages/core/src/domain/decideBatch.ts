import type { Decision, QueuedRequest } from './issueRequest.js';
import type { MemberTicket, NewMemberTicket } from './member.js';

/** What the drainer knows about its ticket, read from the database when it takes the lock. */
export interface DrainState {
  totalQuantity: number;
  issuedQuantity: number;
  /** Epoch milliseconds, or null when sales never close. */
  closeAt: number | null;
}

export interface BatchDecision {
  /** One per request, in queue order. */
  decisions: Decision[];
  /** The rows the batch's transaction must insert, in issue-number order. */
  newIssues: NewMemberTicket[];
  /** issuedQuantity after the batch commits. */
  issuedQuantity: number;
}

/**
 * The whole first-come-first-served rule, as a pure function over one batch in queue order:
 * - a member who already holds the ticket (in the database or earlier in this batch) gets that
 *   ticket again, so a re-delivered request is answered with its committed decision;
 * - a request accepted at or after the close time is rejected CLOSED;
 * - otherwise the next issue number goes to it while stock lasts, then SOLD_OUT.
 * Because each request only looks at what came before it, deciding a sequence in any split into
 * batches gives the same answers as deciding it one request at a time.
 */
export function decideBatch(
  state: DrainState,
  requests: readonly QueuedRequest[],
  /** The batch's members' rows already in the database: the committed truth. */
  existing: readonly Pick<MemberTicket, 'memberId' | 'issueNumber'>[],
): BatchDecision {
  const holders = new Map<number, number>();
  for (const issue of existing) holders.set(issue.memberId, issue.issueNumber);

  let issuedQuantity = state.issuedQuantity;
  const decisions: Decision[] = [];
  const newIssues: NewMemberTicket[] = [];
  for (const { requestId, memberId, acceptedAt } of requests) {
    const held = holders.get(memberId);
    if (held !== undefined) {
      decisions.push({ status: 'ISSUED', requestId, memberId, issueNumber: held });
    } else if (state.closeAt !== null && acceptedAt >= state.closeAt) {
      decisions.push({ status: 'REJECTED', requestId, memberId, reason: 'CLOSED' });
    } else if (issuedQuantity >= state.totalQuantity) {
      decisions.push({ status: 'REJECTED', requestId, memberId, reason: 'SOLD_OUT' });
    } else {
      issuedQuantity += 1;
      holders.set(memberId, issuedQuantity);
      newIssues.push({ requestId, memberId, issueNumber: issuedQuantity });
      decisions.push({ status: 'ISSUED', requestId, memberId, issueNumber: issuedQuantity });
    }
  }
  return { decisions, newIssues, issuedQuantity };
}
