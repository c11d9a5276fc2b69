import { performance } from 'node:perf_hooks';
import {
  checkDrop,
  createTicket,
  entriesOf,
  HttpClient,
  pollAll,
  submitAll,
  submitAsks,
  TestDatabase,
  type SubmissionRecord,
  type FinalAnswer,
} from '@ticketing/testkit';
import { forgetTicket, type BenchContext } from './context.js';
import { percentile, round1 } from './stats.js';
import { startApi, startWorkers } from './system.js';

export interface CardResult {
  members: number;
  quantity: number;
  accepted: number;
  issued: number;
  acceptedPerSecond: number;
  firstRequestToLastDecisionMs: number;
  lastAcceptToLastDecisionMs: number;
  /** Every member's request sent → its decision exists (a 409 received, or its decidedAt): all members over that span. */
  decisionsPerSecond: number;
  /** The HTTP answer (202, or 409 SOLD_OUT), sent → received, over every submission. */
  answerP50: number;
  answerP99: number;
  /** A member's wait from sending to its decision existing (409 SOLD_OUT at once, or the worker's decidedAt after its 202). */
  decisionWaitP50: number;
  decisionWaitP99: number;
  /** The same for the issued members alone: sent → decidedAt, stamped just before the batch's commit writes the row. */
  issuedWaitP50: number;
  issuedWaitP99: number;
  violations: number;
}

/** Per member, its first attempt's send → its decision (409 received, or decidedAt of its accepted request), wall ms. */
function decisionWaits(submissions: SubmissionRecord[], finals: ReadonlyMap<string, FinalAnswer>, wallAtZero: number) {
  const firstSent = new Map<number, number>();
  const all: number[] = [];
  const issued: number[] = [];
  for (const s of submissions) if (!firstSent.has(s.memberId) || s.sentAt < firstSent.get(s.memberId)!) firstSent.set(s.memberId, s.sentAt);
  for (const s of submissions) {
    const sentAt = firstSent.get(s.memberId)! + wallAtZero;
    if (s.httpStatus === 409) all.push(s.receivedAt + wallAtZero - sentAt);
    const final = s.requestId ? finals.get(s.requestId) : undefined;
    if (!final?.decidedAt) continue;
    const wait = Date.parse(final.decidedAt) - sentAt;
    all.push(wait);
    if (final.status === 'ISSUED') issued.push(wait);
  }
  const sort = (values: number[]) => values.sort((a, b) => a - b);
  return { all: sort(all), issued: sort(issued) };
}

/**
 * The load script's default drop (10,000 members, 1,000 tickets, 256 connections) through 1 API + 1 worker.
 * With `stream`, its members are sent in its order (the baselines' request stream) instead of shuffled.
 */
export async function card(ctx: BenchContext, members: number, quantity: number, stream?: number[]): Promise<CardResult> {
  // Roles of their own on the baselines' stream: the api and worker memory targets stay the card's and drain's.
  const suffix = stream ? ', baseline stream' : '';
  const [api, workers] = await Promise.all([startApi(ctx, { role: `api${suffix}` }), startWorkers(ctx, 1, { role: `worker${suffix}` })]);
  const client = new HttpClient(256);
  let ticketId = 0;
  try {
    ticketId = await createTicket(client, api.url, `card-${Date.now()}`, quantity);
    const wallAtZero = Date.now() - performance.now();
    const submissions = stream
      ? await submitAsks(
          client,
          [api.url],
          stream.slice(0, members).map((memberId) => ({ ticketId, memberId })),
          256,
        )
      : await submitAll(client, [api.url], ticketId, ctx.memberIds.slice(0, members), 1, 256);
    const firstSent = Math.min(...submissions.map((s) => s.sentAt)) + wallAtZero;
    const lastAccepted = Math.max(...submissions.filter((s) => s.httpStatus === 202).map((s) => s.receivedAt)) + wallAtZero;
    const lastAnswer = Math.max(...submissions.map((s) => s.receivedAt));
    const finals = await pollAll(client, [api.url], submissions, 256, 120_000);
    const lastDecision = Math.max(...[...finals.values()].map((f) => Date.parse(f.decidedAt ?? '')).filter(Number.isFinite));
    const rows = await new TestDatabase(ctx.databaseUrl).issueRows(ticketId);
    const report = checkDrop({ totalQuantity: quantity, entries: entriesOf(submissions, finals), rows });
    for (const v of report.violations) process.stderr.write(`card violation: ${v}\n`);
    const waits = decisionWaits(submissions, finals, wallAtZero);
    const lastOfAll = Math.max(lastDecision, lastAnswer + wallAtZero);
    const answers = submissions.map((s) => s.receivedAt - s.sentAt).sort((a, b) => a - b);
    return {
      members,
      quantity,
      accepted: report.accepted,
      issued: report.issued,
      acceptedPerSecond: Math.round(submissions.length / ((lastAnswer - Math.min(...submissions.map((s) => s.sentAt))) / 1000)),
      firstRequestToLastDecisionMs: Math.round(lastDecision - firstSent),
      lastAcceptToLastDecisionMs: Math.round(lastDecision - lastAccepted),
      decisionsPerSecond: Math.round((members / (lastOfAll - firstSent)) * 1000),
      answerP50: round1(percentile(answers, 50)),
      answerP99: round1(percentile(answers, 99)),
      decisionWaitP50: round1(percentile(waits.all, 50)),
      decisionWaitP99: round1(percentile(waits.all, 99)),
      issuedWaitP50: round1(percentile(waits.issued, 50)),
      issuedWaitP99: round1(percentile(waits.issued, 99)),
      violations: report.violations.length,
    };
  } finally {
    client.close();
    await Promise.all([api.process.stop(), ...workers.map((w) => w.stop())]);
    if (ticketId) await forgetTicket(ctx, ticketId);
  }
}
