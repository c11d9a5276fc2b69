import { checkFirstComeFirstServed } from './checkFirstComeFirstServed.js';
import { checkQueueOrder } from './checkQueueOrder.js';
import { checkRows } from './checkRows.js';
import type { Entry, IssueRow, TicketRow } from './ledgerEntry.js';

/** The numbers a drop is judged by (a row of docs/FAULTS.md, the load script's table). */
export interface DropCounts {
  /** Distinct requests acknowledged (202, or 200 after a retry whose first try had landed). */
  accepted: number;
  issued: number;
  /** Acknowledged, then REJECTED SOLD_OUT. */
  rejected: number;
  /** Answered 409 SOLD_OUT at once, never queued. */
  refused: number;
  /** Acknowledged and never decided (PENDING forever, or forgotten where Redis kept its data). Must be 0. */
  lost: number;
  /** Acknowledged, then reported as forgotten (404 or FAILED QUEUE_DATA_LOST) after Redis lost data. */
  forgotten: number;
  /** Members that never got an acknowledgement nor a refusal before their client stopped asking. */
  unacknowledged: number;
  /** Extra rows: a member twice, or an issue number twice. Must be 0. */
  duplicates: number;
  /** Rows beyond totalQuantity. Must be 0. */
  overIssue: number;
  /** G3: a later request issued while an earlier one was refused, or numbered before it (by the clients' clocks or queue order). Must be 0. */
  fcfsViolations: number;
  /** From the end of each fault to the first decision made after it (the slowest fault); null if none. */
  recoveryMs: number | null;
}

export interface DropReport extends DropCounts {
  /** Every broken guarantee, readable (at most 50); empty when the drop is sound. */
  violations: string[];
}

export interface DropInput {
  totalQuantity: number;
  /** One per member asking (see entriesOf for the drop client's records). */
  entries: readonly Entry[];
  /** Members asking again (after Redis forgot them): checked for G2 and G5 only. */
  resubmissions?: readonly Entry[];
  /** The ticket's member_ticket rows, read after the drop. */
  rows: readonly IssueRow[];
  /** The ticket's row: when given, its issued_quantity must count the rows. */
  ticket?: TicketRow;
  /** Redis lost its data: a request may be reported forgotten instead of decided. */
  allowForgotten?: boolean;
  /** Wall-clock ms at which each fault ended (for recoveryMs). */
  faultEnds?: readonly number[];
  /** The request ids in the order Redis queued them (readQueueOrder): issue numbers must follow it. */
  queueOrder?: readonly string[];
}

const MAX_MESSAGES = 50;

/** Every count at zero: what a drop that never ran reports. */
export function emptyDropCounts(): DropCounts {
  return {
    accepted: 0,
    issued: 0,
    rejected: 0,
    refused: 0,
    lost: 0,
    forgotten: 0,
    unacknowledged: 0,
    duplicates: 0,
    overIssue: 0,
    fcfsViolations: 0,
    recoveryMs: null,
  };
}

/** G1–G5 of docs/CONTRACT.md for one ticket's drop, from what the clients saw and the database rows. */
export function checkDrop(input: DropInput): DropReport {
  const violations: string[] = [];
  const add = (message: string) => void (violations.length < MAX_MESSAGES && violations.push(message));
  const counts = emptyDropCounts();
  const rowsByRequest = new Map(input.rows.map((row) => [row.requestId, row]));
  const rowsByMember = new Map<number, IssueRow[]>();
  for (const row of input.rows) rowsByMember.set(row.memberId, [...(rowsByMember.get(row.memberId) ?? []), row]);

  for (const entry of input.entries) checkAnswers(entry, add);

  // G4: every acknowledged request ends decided (or, after Redis lost data, reported forgotten).
  const askers = new Set<number>();
  const issuedRequests = new Set<string>();
  const polledNumbers = new Set<number>();
  for (const entry of input.entries) {
    if (entry.gaveUp) {
      counts.unacknowledged += 1;
      add(`member ${entry.memberId}: never acknowledged; last answer ${describeAttempt(entry.attempts.at(-1))}`);
      continue;
    }
    if (entry.refusal) {
      askers.add(entry.memberId);
      if (entry.refusal.status === 409 && entry.refusal.code === 'SOLD_OUT') counts.refused += 1;
      continue;
    }
    if (!entry.ack) continue;
    askers.add(entry.memberId);
    counts.accepted += 1;
    const { requestId } = entry.ack;
    const final = entry.final;
    const forgotten = entry.notFound || (final?.status === 'FAILED' && final.reason === 'QUEUE_DATA_LOST');
    if (forgotten) {
      if (input.allowForgotten) {
        counts.forgotten += 1;
      } else {
        counts.lost += 1;
        add(`request ${requestId} (member ${entry.memberId}) was forgotten: ${entry.notFound ? '404' : 'FAILED QUEUE_DATA_LOST'}`);
      }
    } else if (!final || final.status === 'PENDING') {
      counts.lost += 1;
      add(`request ${requestId} (member ${entry.memberId}, ${entry.group}) never decided`);
    } else if (final.status === 'ISSUED') {
      counts.issued += 1;
      issuedRequests.add(requestId);
      if (final.issueNumber === null || polledNumbers.has(final.issueNumber))
        add(`G1: issue number ${final.issueNumber} polled twice or missing`);
      polledNumbers.add(final.issueNumber ?? -1);
      const row = rowsByRequest.get(requestId);
      if (!row || row.memberId !== entry.memberId || row.issueNumber !== final.issueNumber || row.id !== final.memberTicketId) {
        add(`G5: ${requestId} polls ISSUED #${final.issueNumber} but its row is ${row ? `#${row.issueNumber} id ${row.id}` : 'missing'}`);
      }
    } else if (final.status === 'REJECTED' && final.reason === 'SOLD_OUT') {
      counts.rejected += 1;
    } else {
      add(`request ${requestId} (member ${entry.memberId}) ended ${final.status} ${final.reason}`);
    }
  }
  for (let n = 1; n <= counts.issued; n++) if (!polledNumbers.has(n)) add(`G1: issue number ${n} polled by no one`);

  // G1 and G2 on the rows: one per member, numbers 1..n once each, never beyond the stock.
  const onRows = checkRows({ rows: input.rows, totalQuantity: input.totalQuantity, ...(input.ticket ? { ticket: input.ticket } : {}) });
  counts.duplicates = onRows.duplicates;
  counts.overIssue = onRows.overIssue;
  onRows.violations.forEach(add);
  if (input.allowForgotten) {
    // After Redis lost data, G1 promises the bound only: units held for forgotten requests may
    // stay unissued while members were already told SOLD_OUT.
    if (input.rows.length > Math.min(input.totalQuantity, askers.size)) add(`G1: ${input.rows.length} issued to ${askers.size} askers`);
  } else if (counts.lost === 0 && counts.unacknowledged === 0) {
    const expected = Math.min(input.totalQuantity, askers.size);
    if (input.rows.length !== expected)
      add(`G1: ${input.rows.length} issued, expected min(${input.totalQuantity}, ${askers.size} askers) = ${expected}`);
  }

  // G5 the other way: every row belongs to a request that polls ISSUED.
  for (const row of input.rows) {
    if (!issuedRequests.has(row.requestId))
      add(`G5: row #${row.issueNumber} of request ${row.requestId} (member ${row.memberId}) is not a request the clients saw ISSUED`);
  }
  for (const entry of input.resubmissions ?? []) {
    const final = entry.final;
    if (final?.status !== 'ISSUED') continue;
    const row = rowsByMember.get(entry.memberId)?.[0];
    if (!row || row.issueNumber !== final.issueNumber || row.id !== final.memberTicketId) {
      add(
        `G5: member ${entry.memberId} asked again and polls ISSUED #${final.issueNumber}, but holds ${row ? `#${row.issueNumber}` : 'nothing'}`,
      );
    }
  }

  counts.fcfsViolations =
    checkFirstComeFirstServed(input.entries, add) + (input.queueOrder ? checkQueueOrder(input.entries, input.queueOrder, add) : 0);
  counts.recoveryMs = recovery([...input.entries, ...(input.resubmissions ?? [])], input.faultEnds ?? []);
  return { ...counts, violations };
}

/**
 * Every answer is one the contract allows: 202/200 naming the member's one request (created
 * once), 409 SOLD_OUT, 429 RATE_LIMITED, or 503 QUEUE_UNAVAILABLE / DATABASE_UNAVAILABLE with a Retry-After (G8:
 * when to ask again is the server's to say). No answer at all is the client's to retry.
 */
function checkAnswers(entry: Entry, add: (message: string) => void): void {
  const requestIds = new Set<string>();
  let created = 0;
  for (const attempt of entry.attempts) {
    if (attempt.status === 0) continue;
    if (attempt.status === 503 && (attempt.code === 'QUEUE_UNAVAILABLE' || attempt.code === 'DATABASE_UNAVAILABLE')) {
      if (!(attempt.retryAfter !== null && attempt.retryAfter > 0)) add(`member ${entry.memberId}: 503 without Retry-After`);
    } else if (attempt.status === 429 && attempt.code === 'RATE_LIMITED') {
      // A limit the deployment set (G10), not a failure: the client is told when to ask again.
      if (!(attempt.retryAfter !== null && attempt.retryAfter > 0)) add(`member ${entry.memberId}: 429 without Retry-After`);
    } else if (attempt.status === 202 || attempt.status === 200) {
      if (attempt.requestId) requestIds.add(attempt.requestId);
      else add(`member ${entry.memberId}: ${attempt.status} without requestId`);
      if (attempt.status === 202) created += 1;
    } else if (!(attempt.status === 409 && attempt.code === 'SOLD_OUT')) {
      add(`member ${entry.memberId}: unexpected answer ${attempt.status} ${attempt.code}`);
    }
  }
  if (requestIds.size > 1) add(`member ${entry.memberId}: ${requestIds.size} requestIds ${[...requestIds].join(', ')}`);
  // At most one 202 (none when the first, timed-out try landed and a retry got 200).
  if (created > 1) add(`member ${entry.memberId}: ${created} answers 202`);
}

/** For each fault's end, the wait until the first decision made after it; the longest wait. */
function recovery(entries: readonly Entry[], faultEnds: readonly number[]): number | null {
  const decidedAts = entries
    .map((entry) => (entry.final?.decidedAt ? Date.parse(entry.final.decidedAt) : NaN))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  let worst: number | null = null;
  for (const end of faultEnds) {
    const next = decidedAts.find((at) => at > end);
    if (next === undefined) continue;
    worst = Math.max(worst ?? 0, next - end);
  }
  return worst;
}

/** "503 QUEUE_UNAVAILABLE", or "no answer (ECONNREFUSED)": one try, for a message. */
export function describeAttempt(attempt: { status: number; code: string | null; error?: string } | undefined): string {
  if (!attempt) return 'none';
  return attempt.status === 0 ? `no answer (${attempt.error})` : `${attempt.status} ${attempt.code ?? ''}`.trim();
}
