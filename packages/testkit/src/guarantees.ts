/**
 * A client's ledger of one drop and the checks of docs/CONTRACT.md's guarantees against it and the
 * database. Times are the client's own monotonic clock (performance.now()).
 */
export interface SubmissionRecord {
  ticketId: number;
  memberId: number;
  sentAt: number;
  receivedAt: number;
  httpStatus: number;
  requestId: string | null;
  code: string | null;
  /** Retry-After of a 503, in seconds. */
  retryAfter: number | null;
}

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

export interface DropReport {
  accepted: number;
  issued: number;
  rejectedSoldOut: number;
  refusedSoldOut: number;
  pending: number;
  violations: string[];
}

export function checkDrop(input: {
  totalQuantity: number;
  issuedBefore?: number;
  submissions: SubmissionRecord[];
  finals: Map<string, FinalAnswer>;
  rows: IssueRow[];
}): DropReport {
  const { totalQuantity, submissions, finals, rows } = input;
  const issuedBefore = input.issuedBefore ?? 0;
  const violations: string[] = [];
  const add = (message: string) => violations.length < 50 && violations.push(message);

  // Every answer is one the contract allows; a member's requests share one requestId.
  const requestOf = new Map<number, string>();
  for (const s of submissions) {
    if (s.httpStatus === 503 && (s.code === 'QUEUE_UNAVAILABLE' || s.code === 'DATABASE_UNAVAILABLE')) {
      // No answer (Redis, or a ticket this API has not seen while MySQL is busy or away): the
      // client retried; when to is the server's to say (G8).
      if (!(s.retryAfter !== null && s.retryAfter > 0)) add(`member ${s.memberId}: 503 without Retry-After`);
      continue;
    }
    if (s.httpStatus === 202 || s.httpStatus === 200) {
      if (!s.requestId) add(`member ${s.memberId}: ${s.httpStatus} without requestId`);
      const earlier = requestOf.get(s.memberId);
      if (earlier && earlier !== s.requestId) add(`member ${s.memberId}: two requestIds ${earlier} and ${s.requestId}`);
      if (s.requestId) requestOf.set(s.memberId, s.requestId);
    } else if (!(s.httpStatus === 409 && s.code === 'SOLD_OUT')) {
      add(`member ${s.memberId}: unexpected answer ${s.httpStatus} ${s.code}`);
    }
  }
  // At most one 202 per member (none when the first, timed-out try landed and a retry got 200).
  const created = new Map<number, number>();
  for (const s of submissions) if (s.httpStatus === 202) created.set(s.memberId, (created.get(s.memberId) ?? 0) + 1);
  for (const [memberId, count] of created) if (count > 1) add(`member ${memberId}: ${count} answers 202`);

  // G4: every accepted request ends decided.
  let issued = 0;
  let rejectedSoldOut = 0;
  let pending = 0;
  const numbers = new Set<number>();
  for (const [memberId, requestId] of requestOf) {
    const final = finals.get(requestId);
    if (!final || final.status === 'PENDING') {
      pending += 1;
      add(`request ${requestId} of member ${memberId} never decided`);
      continue;
    }
    if (final.status === 'ISSUED') {
      issued += 1;
      if (final.issueNumber === null || numbers.has(final.issueNumber)) add(`issue number ${final.issueNumber} given twice or missing`);
      numbers.add(final.issueNumber ?? -1);
    } else if (final.status === 'REJECTED' && final.reason === 'SOLD_OUT') {
      rejectedSoldOut += 1;
    } else {
      add(`request ${requestId}: ${final.status} ${final.reason}`);
    }
  }

  // G1: exactly min(stock, askers), numbered contiguously after what was issued before.
  const askers = new Set(submissions.map((s) => s.memberId)).size;
  const expected = Math.min(totalQuantity - issuedBefore, askers);
  if (issued !== expected) add(`G1: ${issued} issued, expected ${expected}`);
  for (let n = issuedBefore + 1; n <= issuedBefore + issued; n++) if (!numbers.has(n)) add(`G1: issue number ${n} missing`);

  // G2 and G5: the database holds exactly the polled ISSUED answers.
  const rowMembers = new Set<number>();
  const rowsByRequest = new Map(rows.map((row) => [row.requestId, row]));
  for (const row of rows) {
    if (rowMembers.has(row.memberId)) add(`G2: member ${row.memberId} holds two tickets`);
    rowMembers.add(row.memberId);
    const final = finals.get(row.requestId);
    if (!final || final.status !== 'ISSUED') add(`G5: row of request ${row.requestId} polls ${final?.status}`);
    else if (final.issueNumber !== row.issueNumber || final.memberTicketId !== row.id) add(`G5: row ${row.id} disagrees with its poll`);
  }
  for (const requestId of requestOf.values()) {
    if (finals.get(requestId)?.status === 'ISSUED' && !rowsByRequest.has(requestId)) add(`G5: ${requestId} polls ISSUED without a row`);
  }

  // G3: no request sent after another's answer reached its client is issued while that one was refused.
  const firstAnswer = new Map<number, number>();
  const firstSend = new Map<number, number>();
  for (const s of submissions) {
    // A 503'd attempt may still have been queued, so it counts as sent; it is not an answer.
    firstSend.set(s.memberId, Math.min(firstSend.get(s.memberId) ?? Infinity, s.sentAt));
    if (s.httpStatus !== 503) firstAnswer.set(s.memberId, Math.min(firstAnswer.get(s.memberId) ?? Infinity, s.receivedAt));
  }
  const refusedMembers = new Set(submissions.filter((s) => s.httpStatus === 409).map((s) => s.memberId));
  for (const [memberId, requestId] of requestOf) if (finals.get(requestId)?.reason === 'SOLD_OUT') refusedMembers.add(memberId);
  const earliestRefusedAnswer = Math.min(...[...refusedMembers].map((m) => firstAnswer.get(m) ?? Infinity));
  for (const [memberId, requestId] of requestOf) {
    if (finals.get(requestId)?.status === 'ISSUED' && (firstSend.get(memberId) ?? 0) > earliestRefusedAnswer) {
      add(`G3: member ${memberId} was sent after a refused request was answered, yet issued`);
    }
  }

  return {
    accepted: requestOf.size,
    issued,
    rejectedSoldOut,
    refusedSoldOut: new Set(submissions.filter((s) => s.httpStatus === 409).map((s) => s.memberId)).size,
    pending,
    violations,
  };
}
