import type { DropReport, FinalAnswer, SubmissionRecord } from '@ticketing/testkit';
import type { LoadOptions } from './options.js';

export interface LoadSummary {
  ticketId: number;
  members: number;
  quantity: number;
  concurrency: number;
  apis: string[];
  accepted: number;
  refused: number;
  /** Answered 429 RATE_LIMITED: the API's limits at work (RATE_PER_IP, RATE_SUBMIT_PER_MEMBER), not a failure. */
  rateLimited: number;
  acceptedPerSecond: number;
  acceptLatencyMs: { p50: number; p95: number; p99: number; max: number };
  /** From the last 202 reaching the client to the last decidedAt the API reported (wall clocks of one host). */
  lastAcceptToLastDecisionMs: number;
  issued: number;
  rejected: number;
  /** Accepted and still undecided at the deadline (or forgotten). */
  lost: number;
  duplicates: number;
  fcfsViolations: number;
  violations: string[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (value: number) => Math.round(value * 10) / 10;

export function summarize(input: {
  options: LoadOptions;
  ticketId: number;
  startedAt: number;
  submissions: SubmissionRecord[];
  finals: Map<string, FinalAnswer>;
  report: DropReport;
  lastAcceptedAtWall: number;
}): LoadSummary {
  const { options, submissions, finals, report } = input;
  const answered = submissions.filter((s) => s.httpStatus === 202);
  const latencies = answered.map((s) => s.receivedAt - s.sentAt).sort((a, b) => a - b);
  const lastAnswer = Math.max(...submissions.map((s) => s.receivedAt));
  const decidedAts = [...finals.values()].map((f) => Date.parse(f.decidedAt ?? ''));
  const lastDecision = Math.max(...decidedAts.filter(Number.isFinite));
  return {
    ticketId: input.ticketId,
    members: options.members,
    quantity: options.quantity,
    concurrency: options.concurrency,
    apis: options.apis,
    accepted: report.accepted,
    refused: report.refused,
    rateLimited: submissions.filter((s) => s.httpStatus === 429).length,
    acceptedPerSecond: Math.round(submissions.length / ((lastAnswer - input.startedAt) / 1000)),
    acceptLatencyMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? 0),
    },
    lastAcceptToLastDecisionMs: Number.isFinite(lastDecision) ? Math.max(0, lastDecision - input.lastAcceptedAtWall) : 0,
    issued: report.issued,
    rejected: report.rejected,
    lost: report.lost,
    duplicates: report.duplicates,
    fcfsViolations: report.fcfsViolations,
    violations: report.violations,
  };
}

export function printTable(summary: LoadSummary): void {
  const rows: Array<[string, string | number]> = [
    ['ticket', `${summary.ticketId} (quantity ${summary.quantity})`],
    ['members / concurrency', `${summary.members} / ${summary.concurrency} over ${summary.apis.length} API`],
    ['submissions answered per second', summary.acceptedPerSecond],
    [
      '202 latency p50 / p95 / p99 (ms)',
      `${summary.acceptLatencyMs.p50} / ${summary.acceptLatencyMs.p95} / ${summary.acceptLatencyMs.p99}`,
    ],
    ['last 202 → last decision (ms)', summary.lastAcceptToLastDecisionMs],
    ['accepted (202)', summary.accepted],
    ['refused at once (409 SOLD_OUT)', summary.refused],
    ['rate-limited (429, not failures)', summary.rateLimited],
    ['issued', summary.issued],
    ['rejected SOLD_OUT', summary.rejected],
    ['still pending', summary.lost],
    ['duplicates (a member or an issue number twice)', summary.duplicates],
    ['FCFS violations', summary.fcfsViolations],
    ['guarantees', summary.violations.length === 0 ? 'G1–G5 hold' : `${summary.violations.length} violation(s)`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(`\n${rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n')}\n`);
  for (const violation of summary.violations.slice(0, 20)) process.stdout.write(`  ✖ ${violation}\n`);
}
