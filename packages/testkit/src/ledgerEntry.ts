/**
 * What clients saw of a drop, and the database rows it is checked against. Client times are
 * wall-clock ms (see timedHttp's now()) or the drop client's performance.now(): only compared
 * with each other, never mixed.
 */

/** A poll's answer once the request is decided (GET /issue-requests/:id). */
export interface FinalAnswer {
  requestId: string;
  memberId: number;
  status: string;
  reason: string | null;
  issueNumber: number | null;
  memberTicketId: number | null;
  decidedAt: string | null;
}

export interface IssueRow {
  id: number;
  memberId: number;
  issueNumber: number;
  requestId: string;
}

export interface TicketRow {
  totalQuantity: number;
  issuedQuantity: number;
  fencingToken: number;
  /** What names the row's Redis keys (its first 8 hex are the epoch). */
  generation: string;
}

/** One HTTP exchange of a submission: what was sent when, and what came back. */
export interface Attempt {
  /** Sent as x-request-id, which the API logs with its own responseTime for 503s and errors. */
  id?: string;
  /** The API it went to. */
  api?: string;
  sentAt: number;
  receivedAt: number;
  /** 0: no HTTP answer (refused, reset, timed out). */
  status: number;
  code: string | null;
  /** Retry-After, in seconds. */
  retryAfter: number | null;
  /** The requestId a 202 or 200 named. */
  requestId: string | null;
  error?: string;
}

/** Everything the clients saw of one member's request for one ticket. */
export interface Entry {
  ticketId: number;
  memberId: number;
  /** Which part of the scenario sent it ("before", "during", "after", ...). */
  group: string;
  /** Every submission's every try, oldest first. */
  attempts: Attempt[];
  /** The first 202 or 200: from here on the request must end decided. */
  ack: { status: number; requestId: string; sentAt: number; receivedAt: number } | null;
  /** A final refusal (409 SOLD_OUT, or any other 4xx, which the checks flag). */
  refusal: { status: number; code: string | null; receivedAt: number } | null;
  /** Never acknowledged nor refused: the client stopped asking. */
  gaveUp: boolean;
  /** The poll that answered ISSUED, REJECTED or FAILED. */
  final: FinalAnswer | null;
  /** Polled 404 twice: the request is unknown (allowed only after Redis lost data). */
  notFound: boolean;
  /** When the client learnt the final answer (or the 404). */
  settledAt: number | null;
}

/** One submission try of the drop client (drop.ts), in its performance.now() time. */
export interface SubmissionRecord {
  ticketId: number;
  memberId: number;
  sentAt: number;
  receivedAt: number;
  httpStatus: number;
  requestId: string | null;
  code: string | null;
  /** Retry-After of a 503 or 429, in seconds. */
  retryAfter: number | null;
}

/**
 * The drop client's submissions (a member may submit several times) and final polls as one
 * entry per member and ticket, the form checkDrop reads.
 */
/** A member's entry before its first attempt. */
export function newEntry(ticketId: number, memberId: number, group: string): Entry {
  return {
    ticketId,
    memberId,
    group,
    attempts: [],
    ack: null,
    refusal: null,
    gaveUp: false,
    final: null,
    notFound: false,
    settledAt: null,
  };
}

export function entriesOf(submissions: readonly SubmissionRecord[], finals: ReadonlyMap<string, FinalAnswer>, group = 'drop'): Entry[] {
  const entries = new Map<string, Entry>();
  for (const s of [...submissions].sort((a, b) => a.sentAt - b.sentAt)) {
    const key = `${s.ticketId}:${s.memberId}`;
    let entry = entries.get(key);
    if (!entry) {
      entry = newEntry(s.ticketId, s.memberId, group);
      entries.set(key, entry);
    }
    entry.attempts.push({
      sentAt: s.sentAt,
      receivedAt: s.receivedAt,
      status: s.httpStatus,
      code: s.code,
      retryAfter: s.retryAfter,
      requestId: s.requestId,
    });
  }
  for (const entry of entries.values()) {
    const byArrival = [...entry.attempts].sort((a, b) => a.receivedAt - b.receivedAt);
    const ack = byArrival.find((a) => (a.status === 202 || a.status === 200) && a.requestId);
    const refusal = byArrival.find((a) => a.status >= 400 && a.status < 500);
    if (ack) {
      entry.ack = { status: ack.status, requestId: ack.requestId!, sentAt: ack.sentAt, receivedAt: ack.receivedAt };
      const final = finals.get(ack.requestId!);
      entry.final = final && final.status !== 'PENDING' ? final : null;
    } else if (refusal) {
      entry.refusal = { status: refusal.status, code: refusal.code, receivedAt: refusal.receivedAt };
    } else {
      entry.gaveUp = true;
    }
  }
  return [...entries.values()];
}
