import { performance } from 'node:perf_hooks';
import { checkDrop, createTicket, entriesOf, HttpClient, pollAll, submitAll, TestDatabase } from '@ticketing/testkit';
import { forgetTicket, type BenchContext } from './context.js';
import { startApi, startWorkers } from './system.js';

export interface CardResult {
  members: number;
  quantity: number;
  accepted: number;
  issued: number;
  acceptedPerSecond: number;
  firstRequestToLastDecisionMs: number;
  lastAcceptToLastDecisionMs: number;
  violations: number;
}

/** The load script's default drop (10,000 members, 1,000 tickets, 256 connections) through 1 API + 1 worker. */
export async function card(ctx: BenchContext, members: number, quantity: number): Promise<CardResult> {
  const [api, workers] = await Promise.all([startApi(ctx), startWorkers(ctx, 1)]);
  const client = new HttpClient(256);
  let ticketId = 0;
  try {
    ticketId = await createTicket(client, api.url, `card-${Date.now()}`, quantity);
    const memberIds = ctx.memberIds.slice(0, members);
    const wallAtZero = Date.now() - performance.now();
    const submissions = await submitAll(client, [api.url], ticketId, memberIds, 1, 256);
    const firstSent = Math.min(...submissions.map((s) => s.sentAt)) + wallAtZero;
    const lastAccepted = Math.max(...submissions.filter((s) => s.httpStatus === 202).map((s) => s.receivedAt)) + wallAtZero;
    const lastAnswer = Math.max(...submissions.map((s) => s.receivedAt));
    const finals = await pollAll(client, [api.url], submissions, 256, 120_000);
    const lastDecision = Math.max(...[...finals.values()].map((f) => Date.parse(f.decidedAt ?? '')).filter(Number.isFinite));
    const rows = await new TestDatabase(ctx.databaseUrl).issueRows(ticketId);
    const report = checkDrop({ totalQuantity: quantity, entries: entriesOf(submissions, finals), rows });
    for (const v of report.violations) process.stderr.write(`card violation: ${v}\n`);
    return {
      members,
      quantity,
      accepted: report.accepted,
      issued: report.issued,
      acceptedPerSecond: Math.round(submissions.length / ((lastAnswer - Math.min(...submissions.map((s) => s.sentAt))) / 1000)),
      firstRequestToLastDecisionMs: Math.round(lastDecision - firstSent),
      lastAcceptToLastDecisionMs: Math.round(lastDecision - lastAccepted),
      violations: report.violations.length,
    };
  } finally {
    client.close();
    await Promise.all([api.process.stop(), ...workers.map((w) => w.stop())]);
    if (ticketId) await forgetTicket(ctx, ticketId);
  }
}
