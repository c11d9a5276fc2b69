import type { ChildProcess } from 'node:child_process';
import { checkRows, freePort, REPO_ROOT, removeKeys, waitUntil } from '@ticketing/testkit';
import { insertTicket, type BenchContext } from '../context.js';
import { startProcess, type Started } from '../processes.js';
import { percentile, round1 } from '../stats.js';
import { gateKeys } from './redisGateKeys.js';
import { type BaselineResult, sendStream, type StreamAnswer } from './stream.js';

/** Baseline (d): decisions/s and p50/p99 are of the synchronous answer; the rest is when the rows exist. */
export interface RedisGateResult extends BaselineResult {
  /** First request sent → the last member_ticket row in the database (its issued_at). */
  lastRowMs: number;
  /** Last answer received → the last row: how long the database trails the answers. */
  lastAnswerToLastRowMs: number;
  /** A granted member's request sent → its row in the database. */
  rowP50: number;
  rowP99: number;
}

/** Grants a consumer takes off the list at a time (a Kafka poll's batch, an LPOP with a count). */
export const CHUNK = 100;

export interface GateRun {
  ticketId: number;
  port: number;
  answers: StreamAnswer[];
  elapsedMs: number;
  consumer: Started;
  consumerLines: string[];
  /** Starts one more consumer on the same list (after the first one died). */
  startConsumer(crashAfterRows?: number): Promise<{ started: Started; lines: string[] }>;
  close(): Promise<void>;
}

/** Every stdout line of a child, as it comes. */
function linesOf(child: ChildProcess): string[] {
  const lines: string[] = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  return lines;
}

/** Gate endpoint and consumer up, then the whole stream sent through the endpoint. */
export async function runGate(ctx: BenchContext, stream: number[], stock: number, crashAfterRows = 0): Promise<GateRun> {
  const ticketId = await insertTicket(ctx.pool, 'baseline-gate', stock);
  const port = await freePort();
  const env = {
    TICKET_ID: String(ticketId),
    STOCK: String(stock),
    DATABASE_URL: ctx.databaseUrl,
    REDIS_URL: ctx.redisUrl,
    QUEUE_PREFIX: ctx.prefix,
  };
  const consumers: Started[] = [];
  const startConsumer = async (crashAfter = 0) => {
    const started = await startProcess({
      role: 'baseline-gate-consumer',
      script: `${REPO_ROOT}scripts/bench/dist/baselines/gateConsumer.js`,
      env: { ...env, CHUNK: String(CHUNK), CRASH_AFTER_ROWS: String(crashAfter) },
      readyText: 'ready',
      sampler: ctx.sampler,
    });
    consumers.push(started);
    return { started, lines: linesOf(started.child) };
  };
  const server = await startProcess({
    role: 'baseline-gate',
    script: `${REPO_ROOT}scripts/bench/dist/baselines/gateServer.js`,
    env: { ...env, PORT: String(port) },
    readyText: 'ready',
    sampler: ctx.sampler,
  });
  const close = async () => {
    await Promise.all([server.stop(), ...consumers.map((c) => c.stop())]);
    await removeKeys(ctx.redis, `${ctx.prefix}:baseline-gate:{${ticketId}}:*`);
  };
  try {
    const first = await startConsumer(crashAfterRows);
    const { answers, elapsedMs } = await sendStream(port, stream);
    return { ticketId, port, answers, elapsedMs, consumer: first.started, consumerLines: first.lines, startConsumer, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface GateRow {
  id: number;
  requestId: string;
  memberId: number;
  issueNumber: number;
  /** issued_at on the wall clock, ms (the database's clock, on this same host). */
  issuedAt: number;
}

export async function gateRows(ctx: BenchContext, ticketId: number): Promise<GateRow[]> {
  const rows = (await ctx.pool.query(
    'SELECT id, request_id AS requestId, member_id AS memberId, issue_number AS issueNumber, UNIX_TIMESTAMP(issued_at) * 1000 AS issuedAt FROM member_ticket WHERE ticket_id = ?',
    [ticketId],
  )) as Array<Record<string, unknown>>;
  return rows.map((row) => ({
    id: Number(row.id),
    requestId: String(row.requestId),
    memberId: Number(row.memberId),
    issueNumber: Number(row.issueNumber),
    issuedAt: Number(row.issuedAt),
  }));
}

export const granted = (answers: StreamAnswer[]) => answers.filter((a) => a.status === 200 && a.body.status === 'ISSUED');

/** Baseline (d) once: answers at once from the gate, then waits for the consumer's last row and checks rows against answers. */
export async function redisGate(ctx: BenchContext, stream: number[], stock: number): Promise<RedisGateResult> {
  const run = await runGate(ctx, stream, stock);
  try {
    const { ticketId, answers, elapsedMs } = run;
    const grants = granted(answers);
    await waitUntil(async () => (await gateRows(ctx, ticketId)).length >= grants.length, 'baseline gate: every grant written', 120_000, 20);
    const rows = await gateRows(ctx, ticketId);
    const expected = Math.min(stock, stream.length);
    // No database counter in this design: its counter is Redis's, compared with the rows below.
    const violations = checkRows({ rows, totalQuantity: stock, expected }).violations;
    const counter = Number(await ctx.redis.get(gateKeys(ctx.prefix, ticketId).issued));
    if (counter !== rows.length) violations.push(`Redis counter ${counter}, rows ${rows.length}`);
    if (grants.length !== expected) violations.push(`${grants.length} answered ISSUED`);
    const failures = answers.filter((a) => a.status !== 200).length;
    if (failures > 0) violations.push(`${failures} requests failed`);
    const rowOf = new Map(rows.map((row) => [row.memberId, row]));
    const waits: number[] = [];
    for (const grant of grants) {
      const row = rowOf.get(grant.memberId);
      if (!row || row.issueNumber !== grant.body.issueNumber)
        violations.push(`member ${grant.memberId} answered ${grant.body.issueNumber}, row ${row?.issueNumber}`);
      else waits.push(row.issuedAt - grant.sentAt);
    }
    for (const v of violations.slice(0, 20)) process.stderr.write(`baseline gate violation: ${v}\n`);
    const latencies = answers.map((a) => a.latencyMs).sort((a, b) => a - b);
    waits.sort((a, b) => a - b);
    const firstSent = Math.min(...answers.map((a) => a.sentAt));
    const lastAnswer = Math.max(...answers.map((a) => a.sentAt + a.latencyMs));
    const lastRow = Math.max(...rows.map((row) => row.issuedAt));
    return {
      requests: stream.length,
      stock,
      decisionsPerSecond: Math.round((stream.length / elapsedMs) * 1000),
      elapsedMs: Math.round(elapsedMs),
      p50: round1(percentile(latencies, 50)),
      p99: round1(percentile(latencies, 99)),
      violations: violations.length,
      lastRowMs: Math.round(lastRow - firstSent),
      lastAnswerToLastRowMs: Math.round(lastRow - lastAnswer),
      rowP50: round1(percentile(waits, 50)),
      rowP99: round1(percentile(waits, 99)),
    };
  } finally {
    await run.close();
  }
}
