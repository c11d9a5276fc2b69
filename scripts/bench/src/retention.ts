import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { QueuedRequest } from '@ticketing/core';
import { activeTicketsKey, RedisSubmissionQueue } from '@ticketing/queue';
import { PrivateRedis, REPO_ROOT, runPool, TestDatabase, testTokens, TimedHttp, waitUntil } from '@ticketing/testkit';
import { insertTicket, openBenchContext, runId, tearDown, type BenchContext } from './context.js';
import { percentile } from './stats.js';
import { startApi, startWorkers } from './system.js';

const START = '<!-- retention-bench:start -->';
const END = '<!-- retention-bench:end -->';

/** RESULT_TTL_S of the run: long enough to poll the sample while the state is still there. */
const TTL_S = 30;

interface MemoryReading {
  usedMemoryBytes: number;
  /** used_memory less Redis's own overhead (clients' buffers, the scripts, the key tables): the data. */
  datasetBytes: number;
  keys: number;
}

interface PollLatency {
  polls: number;
  p50Ms: number;
  p99Ms: number;
  /** status → how many polls answered it. */
  statuses: Record<string, number>;
}

export interface RetentionResult {
  date: string;
  machine: string;
  loadAverage: { start: number; end: number };
  requests: number;
  issued: number;
  memory: { before: MemoryReading; queued: MemoryReading; decided: MemoryReading; removed: MemoryReading };
  removalSeconds: number;
  polls: {
    beforeRemoval: { issued: PollLatency; rejected: PollLatency };
    afterRemoval: { issued: PollLatency; rejected: PollLatency };
  };
}

/**
 * `npm run bench -- --retention`: Redis memory of one drop through its life, on a Redis of its
 * own (`INFO memory` and DBSIZE before, once every request is queued, once every one is decided,
 * and after the retention removed the ticket's state), and what a poll costs before and after the
 * removal. Every request takes the API's own path into Redis (admission, then enqueue); the row's
 * stock is 90 % of the requests while admission is told 100 %, as an API with a stale view would,
 * so a tenth of them end REJECTED and poll 410 after the removal.
 */
export async function retentionBench(options: { quick: boolean; writeDocs: boolean; log: (line: string) => void }): Promise<void> {
  const { quick, log } = options;
  const requests = quick ? 10_000 : 100_000;
  const sample = quick ? 500 : 1_000;
  const loadStart = loadavg()[0]!;
  const redisServer = await PrivateRedis.start('none');
  const ctx = await openBenchContext({ quick, repeats: 1, redisUrl: redisServer.url });
  let result: RetentionResult;
  try {
    ctx.systemEnv.RESULT_TTL_S = String(TTL_S);
    ctx.memberIds = await new TestDatabase(ctx.databaseUrl).insertMembers(`bench-${runId}`, requests);
    log(`${requests} members inserted; Redis ${redisServer.url}`);
    result = await measure(ctx, requests, sample, log);
    result.loadAverage = { start: round(loadStart), end: round(loadavg()[0]!) };
  } finally {
    await tearDown(ctx, log);
    await redisServer.stop();
  }
  mkdirSync(`${REPO_ROOT}bench/results`, { recursive: true });
  const resultsFile = `bench/results/${result.date.slice(0, 10)}-retention${quick ? '-quick' : ''}.json`;
  writeFileSync(`${REPO_ROOT}${resultsFile}`, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${resultsFile}`);
  const section = renderRetention(result, resultsFile);
  process.stdout.write(`${section}\n`);
  if (options.writeDocs) {
    const path = `${REPO_ROOT}docs/SCALING.md`;
    const document = readFileSync(path, 'utf8');
    const start = document.indexOf(START);
    const end = document.indexOf(END);
    if (start < 0 || end < start) throw new Error(`docs/SCALING.md lacks the ${START} … ${END} markers`);
    writeFileSync(path, `${document.slice(0, start + START.length)}\n${section}\n${document.slice(end)}`);
    log('wrote the retention figures in docs/SCALING.md');
  }
}

async function measure(ctx: BenchContext, requests: number, sample: number, log: (line: string) => void): Promise<RetentionResult> {
  const date = new Date().toISOString();
  const generation = randomBytes(20).toString('hex');
  const stock = Math.round(requests * 0.9);
  const ticketId = await insertTicket(ctx.pool, 'retention', stock, generation);
  const api = await startApi(ctx, { env: { RESULT_TTL_S: String(TTL_S) } });
  const before = await memory(ctx);

  // The API's path into Redis, without HTTP: admitted (told the stock is `requests`), then enqueued.
  const queue = new RedisSubmissionQueue(ctx.redis, { prefix: ctx.prefix });
  const admitted: QueuedRequest[] = new Array(requests);
  const t0 = performance.now();
  await runPool(requests, 256, async (n) => {
    const admission = await queue.admit({
      generation,
      ticketId,
      memberId: ctx.memberIds[n]!,
      totalQuantity: requests,
      window: 'OPEN',
      acceptedAt: Date.now(),
    });
    if (admission.kind !== 'ADMITTED') throw new Error(`member ${ctx.memberIds[n]}: ${admission.kind}`);
    await queue.enqueue(admission.request);
    admitted[n] = admission.request;
  });
  log(`${requests} requests admitted and queued in ${Math.round(performance.now() - t0)} ms`);
  const queued = await memory(ctx);

  const [worker] = await startWorkers(ctx, 1);
  await waitUntil(async () => (await ctx.redis.scard(activeTicketsKey(ctx.prefix))) === 0, 'every request decided', 600_000, 100);
  const decided = await memory(ctx);
  const removalFrom = performance.now();
  log('every request decided');

  const http = new TimedHttp(16, 10_000, null);
  const polls = async (ids: QueuedRequest[]): Promise<PollLatency> => {
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    await runPool(ids.length, 16, async (n) => {
      const request = ids[n]!;
      const token = await testTokens.member(request.memberId);
      const answer = await http.send(
        'GET',
        `${api.url}/api/v1/issue-requests/${encodeURIComponent(request.requestId)}`,
        undefined,
        10_000,
        {
          authorization: `Bearer ${token}`,
        },
      );
      latencies.push(answer.receivedAt - answer.sentAt);
      // A problem's body has a numeric status of its own: name it by its code.
      const label = `${answer.status} ${answer.body?.code ?? answer.body?.status ?? answer.error ?? ''}`.trim();
      statuses[label] = (statuses[label] ?? 0) + 1;
    });
    latencies.sort((a, b) => a - b);
    return { polls: ids.length, p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), statuses };
  };
  // Queue order is issue order; admissions ran 256 at a time, so away from the stock boundary the
  // first admitted are surely issued and the last surely rejected.
  const margin = 600;
  const issuedSample = spread(admitted.slice(0, stock - margin), sample);
  const rejectedSample = spread(admitted.slice(stock + margin), sample);
  const beforeRemoval = { issued: await polls(issuedSample), rejected: await polls(rejectedSample) };
  log(`polls before the removal: ${JSON.stringify(beforeRemoval)}`);

  const ticketKeys = async () => (await ctx.redis.keys(`${ctx.prefix}:*{${ticketId}}*`)).length;
  await waitUntil(async () => (await ticketKeys()) <= 1, "the ticket's state removed", (TTL_S + 120) * 1000, 200);
  const removalSeconds = round((performance.now() - removalFrom) / 1000);
  const removed = await memory(ctx);
  const afterRemoval = { issued: await polls(issuedSample), rejected: await polls(rejectedSample) };
  log(`polls after the removal: ${JSON.stringify(afterRemoval)}`);
  http.close();
  await Promise.all([worker?.stop(), api.process.stop()]);
  const issued = (await new TestDatabase(ctx.databaseUrl).issueRows(ticketId)).length;
  return {
    date,
    machine: `${cpus().length} cores, node ${process.version}`,
    loadAverage: { start: 0, end: 0 },
    requests,
    issued,
    memory: { before, queued, decided, removed },
    removalSeconds,
    polls: { beforeRemoval, afterRemoval },
  };
}

async function memory(ctx: BenchContext): Promise<MemoryReading> {
  const info = await ctx.redis.info('memory');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)![1]);
  return { usedMemoryBytes: field('used_memory'), datasetBytes: field('used_memory_dataset'), keys: await ctx.redis.dbsize() };
}

/** `count` items spread evenly over `items`. */
function spread<T>(items: T[], count: number): T[] {
  const step = Math.max(1, Math.floor(items.length / count));
  return items.filter((_, n) => n % step === 0).slice(0, count);
}

const round = (value: number): number => Math.round(value * 10) / 10;
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

export function renderRetention(r: RetentionResult, resultsFile: string): string {
  const { before, queued, decided, removed } = r.memory;
  const perRequest = (reading: MemoryReading) => Math.round((reading.usedMemoryBytes - before.usedMemoryBytes) / r.requests);
  const row = (name: string, reading: MemoryReading, note: string) =>
    `| ${name} | ${mib(reading.usedMemoryBytes)} | ${mib(reading.datasetBytes)} | ${reading.keys} | ${perRequest(reading)} | ${note} |`;
  const pollRow = (when: string, kind: string, p: PollLatency) =>
    `| ${when} | ${kind} | ${p.polls} | ${p.p50Ms} | ${p.p99Ms} | ${Object.entries(p.statuses)
      .map(([status, n]) => `${status} ×${n}`)
      .join(', ')} |`;
  return [
    `Generated by \`npm run bench -- --retention\` on ${r.date.slice(0, 16).replace('T', ' ')} UTC (${r.machine}, load average ${r.loadAverage.start} → ${r.loadAverage.end}; results in \`${resultsFile}\`): one drop of ${r.requests.toLocaleString('en')} requests on a Redis of its own, each admitted and queued as the API does, ${r.issued.toLocaleString('en')} issued and the rest rejected, \`RESULT_TTL_S=${TTL_S}\`.`,
    '',
    '| moment | used_memory (MiB) | of it data (MiB) | keys | used_memory per request over "before" (B) | |',
    '|---|---:|---:|---:|---:|---|',
    row('before', before, 'the API up, no request yet'),
    row('queued', queued, 'every request admitted and waiting'),
    row('decided', decided, 'every request answered (the peak)'),
    row('removed', removed, `the ticket's state removed by the retention, ${r.removalSeconds} s after the last decision`),
    '',
    '| poll (GET, no wait) | request | polls | p50 ms | p99 ms | answers |',
    '|---|---|---:|---:|---:|---|',
    pollRow('before the removal', 'issued', r.polls.beforeRemoval.issued),
    pollRow('before the removal', 'rejected', r.polls.beforeRemoval.rejected),
    pollRow('after the removal', 'issued', r.polls.afterRemoval.issued),
    pollRow('after the removal', 'rejected', r.polls.afterRemoval.rejected),
  ].join('\n');
}
