import type { IssueRow } from '@ticketing/testkit';
import type { TicketRow } from './database.js';
import type { Entry } from './ledger.js';

/** The numbers a fault scenario is judged by (one row of docs/FAULTS.md). */
export interface DropCounts {
  /** Distinct requests acknowledged (202, or 200 after a retry whose first try had landed). */
  accepted: number;
  issued: number;
  /** Acknowledged, then REJECTED SOLD_OUT. */
  rejected: number;
  /** Answered 409 SOLD_OUT at once, never queued. */
  refused: number;
  /** Acknowledged and never decided (or forgotten where Redis kept its data). Must be 0. */
  lost: number;
  /** Acknowledged, then reported as forgotten (404 or FAILED QUEUE_DATA_LOST) after Redis lost data. */
  forgotten: number;
  /** Clients that never got an acknowledgement before their deadline. */
  unacknowledged: number;
  /** Extra rows: a member twice, or an issue number twice. Must be 0. */
  duplicates: number;
  /** Rows beyond totalQuantity. Must be 0. */
  overIssue: number;
  /** G3: a later request issued while an earlier one was refused, or numbered before it. Must be 0. */
  fcfsViolations: number;
  /** From the end of each fault to the first decision made after it (the slowest fault); null if none. */
  recoveryMs: number | null;
}

export interface VerifyInput {
  totalQuantity: number;
  /** One request per member (the member's first and only submission for the ticket). */
  entries: readonly Entry[];
  /** Members asking again (after Redis forgot them): checked for G2 and G5 only. */
  resubmissions?: readonly Entry[];
  rows: readonly IssueRow[];
  ticket: TicketRow;
  /** Redis lost its data: a request may be reported forgotten instead of decided. */
  allowForgotten: boolean;
  /** Wall-clock ms at which each fault ended (for recoveryMs). */
  faultEnds: readonly number[];
}

const MAX_MESSAGES = 40;

/** G1–G5 from the client ledger and the database rows. */
export function verifyDrop(input: VerifyInput): { counts: DropCounts; violations: string[] } {
  const violations: string[] = [];
  const add = (message: string) => void (violations.length < MAX_MESSAGES && violations.push(message));
  const counts: DropCounts = {
    accepted: 0, issued: 0, rejected: 0, refused: 0, lost: 0, forgotten: 0, unacknowledged: 0,
    duplicates: 0, overIssue: 0, fcfsViolations: 0, recoveryMs: null,
  };
  const rowsByRequest = new Map(input.rows.map((row) => [row.requestId, row]));
  const rowsByMember = new Map<number, IssueRow[]>();
  for (const row of input.rows) rowsByMember.set(row.memberId, [...(rowsByMember.get(row.memberId) ?? []), row]);

  // G4: every acknowledged request ends decided (or, after Redis lost data, reported forgotten).
  const askers = new Set<number>();
  const issuedRequests = new Set<string>();
  for (const entry of input.entries) {
    if (entry.gaveUp) {
      counts.unacknowledged += 1;
      add(`member ${entry.memberId}: never acknowledged; last answer ${describe(entry.attempts.at(-1))}`);
      continue;
    }
    if (entry.refusal) {
      askers.add(entry.memberId);
      if (entry.refusal.status === 409 && entry.refusal.code === 'SOLD_OUT') counts.refused += 1;
      else add(`member ${entry.memberId}: refused ${entry.refusal.status} ${entry.refusal.code}`);
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
    } else if (!final) {
      counts.lost += 1;
      add(`request ${requestId} (member ${entry.memberId}, ${entry.group}) never decided`);
    } else if (final.status === 'ISSUED') {
      counts.issued += 1;
      issuedRequests.add(requestId);
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

  // G2 and the count: one row per member, numbers 1..n once each, never beyond the stock.
  const numbers = new Map<number, number>();
  for (const row of input.rows) numbers.set(row.issueNumber, (numbers.get(row.issueNumber) ?? 0) + 1);
  for (const [memberId, rows] of rowsByMember) {
    if (rows.length > 1) {
      counts.duplicates += rows.length - 1;
      add(`G2: member ${memberId} holds ${rows.length} tickets`);
    }
  }
  for (const [issueNumber, times] of numbers) {
    if (times > 1) {
      counts.duplicates += times - 1;
      add(`G1: issue number ${issueNumber} given ${times} times`);
    }
  }
  counts.overIssue = Math.max(0, input.rows.length - input.totalQuantity);
  if (counts.overIssue > 0) add(`G1: ${input.rows.length} rows for ${input.totalQuantity} tickets`);
  if (input.ticket.issuedQuantity !== input.rows.length) add(`G1: ticket.issued_quantity ${input.ticket.issuedQuantity}, rows ${input.rows.length}`);
  for (let n = 1; n <= input.rows.length; n++) if (!numbers.has(n)) add(`G1: issue number ${n} missing`);
  if (input.allowForgotten) {
    // After Redis lost data, G1 promises the bound only: units held for forgotten requests may
    // stay unissued while members were already told SOLD_OUT.
    if (input.rows.length > Math.min(input.totalQuantity, askers.size)) add(`G1: ${input.rows.length} issued to ${askers.size} askers`);
  } else if (counts.lost === 0 && counts.unacknowledged === 0) {
    const expected = Math.min(input.totalQuantity, askers.size);
    if (input.rows.length !== expected) add(`G1: ${input.rows.length} issued, expected min(${input.totalQuantity}, ${askers.size} askers) = ${expected}`);
  }

  // G5 the other way: every row belongs to a request that polls ISSUED.
  for (const row of input.rows) {
    if (!issuedRequests.has(row.requestId)) add(`G5: row #${row.issueNumber} of request ${row.requestId} (member ${row.memberId}) is not a request the clients saw ISSUED`);
  }
  for (const entry of input.resubmissions ?? []) {
    const final = entry.final;
    if (final?.status !== 'ISSUED') continue;
    const row = rowsByMember.get(entry.memberId)?.[0];
    if (!row || row.issueNumber !== final.issueNumber || row.id !== final.memberTicketId) {
      add(`G5: member ${entry.memberId} asked again and polls ISSUED #${final.issueNumber}, but holds ${row ? `#${row.issueNumber}` : 'nothing'}`);
    }
  }

  counts.fcfsViolations = checkFirstComeFirstServed(input.entries, add);
  counts.recoveryMs = recovery([...input.entries, ...(input.resubmissions ?? [])], input.faultEnds);
  return { counts, violations };
}

/**
 * G3 from the clients' clocks. A member's send time is its first attempt's (a 503'd attempt may
 * still have landed in the queue); an answer counts from the acknowledgement or 409's arrival.
 * (1) No request sent after a refused request's answer arrived is ISSUED. (2) If A's
 * acknowledgement arrived before B was sent and both are ISSUED, A has the smaller issue number.
 */
function checkFirstComeFirstServed(entries: readonly Entry[], add: (message: string) => void): number {
  let violations = 0;
  const firstSend = (entry: Entry) => entry.attempts[0]?.sentAt ?? Infinity;
  const refusedAnswers = entries.flatMap((entry) => {
    if (entry.refusal?.code === 'SOLD_OUT') return [entry.refusal.receivedAt];
    if (entry.final?.status === 'REJECTED' && entry.final.reason === 'SOLD_OUT' && entry.ack) return [entry.ack.receivedAt];
    return [];
  });
  const earliestRefusal = Math.min(Infinity, ...refusedAnswers);
  const issued = entries.filter((entry) => entry.ack && entry.final?.status === 'ISSUED');
  for (const entry of issued) {
    if (firstSend(entry) > earliestRefusal) {
      violations += 1;
      add(`G3: member ${entry.memberId} was sent ${(firstSend(entry) - earliestRefusal).toFixed(1)} ms after a refusal reached its client, yet ISSUED`);
    }
  }
  issued.sort((a, b) => b.final!.issueNumber! - a.final!.issueNumber!);
  let earliestAckAbove = Infinity;
  let holderAbove: Entry | null = null;
  for (const entry of issued) {
    if (earliestAckAbove < firstSend(entry)) {
      violations += 1;
      add(`G3: member ${holderAbove!.memberId} was acknowledged before member ${entry.memberId} was sent, yet got #${holderAbove!.final!.issueNumber} after #${entry.final!.issueNumber}`);
    }
    if (entry.ack!.receivedAt < earliestAckAbove) {
      earliestAckAbove = entry.ack!.receivedAt;
      holderAbove = entry;
    }
  }
  return violations;
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

export function describe(attempt: { status: number; code: string | null; error?: string } | undefined): string {
  if (!attempt) return 'none';
  return attempt.status === 0 ? `no answer (${attempt.error})` : `${attempt.status} ${attempt.code ?? ''}`.trim();
}

/**
 * G8, on every submission that was not answered 202/200/409: it must be 503 QUEUE_UNAVAILABLE
 * with Retry-After; and every submission sent while Redis was away (`outage`: from, to) must
 * have had its answer within maxMs. Latency is judged inside the outage only: a request sent
 * before it that is answered 503 once Redis is gone measures the machine, not the fail-fast path.
 * `noAnswerAllowed`: refused connections are expected (an API was shut down).
 */
export function checkUnavailableAnswers(
  entries: readonly Entry[],
  options: {
    maxMs: number;
    outage: readonly [number, number];
    noAnswerAllowed: boolean;
    when?: (at: number) => string;
    serverMs?: (attemptId: string) => number | undefined;
  },
): { unavailable: number; sentDuringOutage: number; slowestDuringOutage: number; violations: string[] } {
  const violations: string[] = [];
  let unavailable = 0;
  let sentDuringOutage = 0;
  let slowestDuringOutage = 0;
  const [from, to] = options.outage;
  for (const entry of entries) {
    for (const attempt of entry.attempts) {
      const ms = attempt.receivedAt - attempt.sentAt;
      const during = attempt.sentAt >= from && attempt.sentAt <= to;
      if (during) {
        sentDuringOutage += 1;
        slowestDuringOutage = Math.max(slowestDuringOutage, ms);
      }
      const problems: string[] = [];
      if (![200, 202, 409].includes(attempt.status) && !(attempt.status === 0 && options.noAnswerAllowed)) {
        if (attempt.status === 503) unavailable += 1;
        if (attempt.status !== 503 || attempt.code !== 'QUEUE_UNAVAILABLE') problems.push(describe(attempt));
        else if (!attempt.retryAfter) problems.push('503 without Retry-After');
      }
      if (during && ms >= options.maxMs) {
        // The API's own measure tells a slow server from a client or machine too busy to read the answer.
        const server = options.serverMs?.(attempt.id);
        problems.push(`answered ${attempt.status} after ${ms.toFixed(0)} ms${server === undefined ? '' : ` (the API logged ${Math.round(server)} ms)`}`);
      }
      if (problems.length > 0 && violations.length < MAX_MESSAGES) {
        const when = options.when ? ` sent ${options.when(attempt.sentAt)}` : '';
        violations.push(`G8: submission of member ${entry.memberId}${when} via ${attempt.api}: ${problems.join(', ')}`);
      }
    }
  }
  return { unavailable, sentDuringOutage, slowestDuringOutage, violations };
}
