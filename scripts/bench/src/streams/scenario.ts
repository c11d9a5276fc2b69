import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSubscriber, RedisSubmissionQueue, ticketKeys } from '@ticketing/queue';
import { launchNode, mintToken, runPool } from '@ticketing/testkit';
import { forgetTicket, insertTicket, verifyIssues, type BenchContext } from '../context.js';
import { cpuTimeMs, track } from '../processes.js';
import { percentile, round1 } from '../stats.js';
import { startApi, startWorkers } from '../system.js';
import type { StreamsClientResult, StreamsPlan } from './plan.js';

export interface StreamsOptions {
  /** Requests in the drop, all queued before the streams open. */
  requests: number;
  /** Event streams held open on the one API process, each another member's request. */
  streams: number;
  /** Stock: admission refuses past it, so it is the drop's size for every request to be queued. */
  stock: number;
}

export interface StreamsResult extends Record<string, unknown> {
  requests: number;
  streams: number;
  /** WATCH_MAX the API ran with (WATCH_PER_MEMBER stays 3: each stream is another member's). */
  watchMax: number;
  opened: number;
  /** Streams open when the drain started (all of them unless the open limit came first). */
  openedAtStart: number;
  refused: Record<string, number>;
  connections: number;
  /** From the first connection to every stream answered, ms. */
  openMs: number;
  /** From the worker's first batch to the last, ms, and its rate. */
  drainMs: number;
  decisionsPerSecond: number;
  batches: number;
  positionEvents: number;
  /** Position events sent because the line moved (not the state sent at connect, nor a repeat). */
  pushedEvents: number;
  /** Position events telling a watcher the place it was told last (not counted as pushed). */
  repeatedEvents: number;
  /** Position events pushed by the fan-out (not the state sent at connect) matched to their batch. */
  measuredEvents: number;
  unmatchedEvents: number;
  /** A few unmatched events: [sequence, position, ms after the first batch]. */
  unmatchedSample: Array<[number, number, number]>;
  decisions: number;
  decisionStatus: Record<string, number>;
  /** Commit → position event at the watcher, ms. */
  delayMs: { p50: number; p90: number; p99: number; max: number };
  /** Events (positions of any kind, decisions) that reached the watchers from the worker's start on. */
  deliveredEvents: number;
  /** API CPU from the worker's start until the last decision reached its watcher. */
  apiCpuMs: number;
  apiCpuPerEventUs: number;
  /** API RSS when started, before any stream, and with every stream open (before the drain). */
  apiRssIdleMiB: number;
  apiRssOpenMiB: number;
  /** API CPU while the streams opened. */
  apiCpuOpenMs: number;
  apiRssPeakMiB: number;
  clientCpuDrainMs: number;
  clientWallMs: number;
  uptimeStart: string;
  uptimeEnd: string;
  loadStart: number[];
  loadEnd: number[];
  violations: string[];
  timedOut: boolean;
}

const OPEN_LIMIT_MS = 3 * 60_000;
/** The client gives up waiting for decisions this long after it starts: the scenario is bounded. */
const STREAMS_DEADLINE_MS = 12 * 60_000;

const uptime = (): string => execFileSync('uptime', { encoding: 'utf8' }).trim();
const wallNow = (): number => performance.timeOrigin + performance.now();

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? round1(Number(match[1]) / 1024) : 0;
}

/**
 * Issue 14's benchmark: `streams` event streams (GET /issue-requests/{id}/events) held on one API
 * process while one worker drains a `requests`-request drop, all on 127.0.0.1. The requests are
 * admitted and queued through the API's own Redis adapter (so their ids are sealed and their
 * places are given as the API gives them), no worker running; the watched ones are spread evenly
 * along the line. A client process of its own opens the streams with raw sockets. The bench
 * process subscribes to the progress channel beside the API and notes when each batch's progress
 * arrives: that is the batch's commit time (the worker publishes it right after its database
 * commit and the queue's completion). A position event pushed to a watcher carries the position
 * of some batch's decided count (sequence − decided): its delay is its arrival at the watcher
 * minus that batch's arrival here, the 250 ms throttle of each stream included.
 */
export async function streams(ctx: BenchContext, options: StreamsOptions, log: (line: string) => void): Promise<StreamsResult> {
  const { requests, streams: count, stock } = options;
  if (requests > ctx.memberIds.length) throw new Error(`streams needs ${requests} members`);
  if (count > requests) throw new Error('more streams than requests');
  const uptimeStart = uptime();
  const loadStart = loadavg().map(round1);
  log(`streams: start, ${uptimeStart}`);

  const generation = randomBytes(20).toString('hex');
  const ticketId = await insertTicket(ctx.pool, 'streams', stock, generation);
  const queue = new RedisSubmissionQueue(ctx.redis, { prefix: ctx.prefix });
  const progress = createSubscriber(ctx.redis);
  const resultPath = join(tmpdir(), `bench-streams-${randomBytes(4).toString('hex')}.json`);
  const planPath = `${resultPath}.plan`;
  try {
    // The drop, queued in full before anyone watches; no worker yet.
    const members = ctx.memberIds.slice(0, requests);
    const bySequence: Array<{ requestId: string; memberId: number } | undefined> = new Array(requests);
    await runPool(requests, 256, async (n) => {
      const memberId = members[n]!;
      const admission = await queue.admit({ ticketId, generation, memberId, totalQuantity: stock, window: 'OPEN', acceptedAt: Date.now() });
      if (admission.kind !== 'ADMITTED') throw new Error(`member ${memberId} not admitted: ${admission.kind}`);
      const reading = await queue.enqueue(admission.request);
      if (reading === null) throw new Error(`request ${admission.request.requestId} has no place`);
      bySequence[reading.sequence] = { requestId: admission.request.requestId, memberId };
    });
    log(`streams: ${requests} requests queued`);

    // Every (requests/count)th place, from the back of each stretch: the first watcher waits for a
    // stretch of the line, the last for the whole drop.
    const step = requests / count;
    const watched = Array.from({ length: count }, (_, k) => Math.round((k + 1) * step) - 1);
    const watchers = await Promise.all(
      watched.map(async (sequence) => {
        const request = bySequence[sequence]!;
        return { requestId: request.requestId, token: await mintToken({ memberId: request.memberId }), sequence };
      }),
    );

    const watchMax = count + 1000;
    const api = await startApi(ctx, { role: 'api (streams)', env: { WATCH_MAX: String(watchMax) } });
    const port = Number(new URL(api.url).port);

    const committedAt = new Map<number, number>();
    let firstBatchAt = 0;
    let lastBatchAt = 0;
    progress.on('message', (_channel: string, message: string) => {
      const at = wallNow();
      const [ticket, decided] = message.split(' ');
      if (Number(ticket) !== ticketId) return;
      if (!committedAt.has(Number(decided))) committedAt.set(Number(decided), at);
      firstBatchAt ||= at;
      lastBatchAt = at;
    });
    await progress.subscribe(`${ctx.prefix}:progress`);

    const plan: StreamsPlan = {
      host: '127.0.0.1',
      port,
      watchers: watchers.map(({ requestId, token }) => ({ requestId, token })),
      openWindow: 256,
      openLimitAtMs: Date.now() + OPEN_LIMIT_MS,
      deadlineAtMs: Date.now() + STREAMS_DEADLINE_MS,
      resultPath,
    };
    writeFileSync(planPath, JSON.stringify(plan));
    const apiRssIdleMiB = rssMiB(api.process.pid);
    const cpuBeforeOpen = cpuTimeMs(api.process.pid);
    const openStartedAt = performance.now();
    const client = track(
      'stream client',
      launchNode({
        name: 'stream client',
        script: 'scripts/bench/dist/streams/client.js',
        env: { STREAMS_PLAN: planPath },
        onLine: (line) => line.startsWith('streams:') && log(`client ${line}`),
      }),
      ctx.sampler,
    );
    // Near its capacity the API opens new streams slowly while the first ones, past their 55 s
    // lifetime, come back (seen: 10,000 in 52 s at load average 5, 9,000 in 193 s at 11): past the
    // limit the client starts the drain with those open, and the figures say how many.
    await client.process.whenReady({ text: 'streams open' }, OPEN_LIMIT_MS + 60_000);
    const openMs = Math.round(performance.now() - openStartedAt);
    const apiRssOpenMiB = rssMiB(api.process.pid);
    const apiCpuOpenMs = Math.round(cpuTimeMs(api.process.pid) - cpuBeforeOpen);
    log(
      `streams: ${count} streams answered in ${openMs} ms (API CPU ${apiCpuOpenMs} ms); API RSS ${apiRssIdleMiB} MiB before, ${apiRssOpenMiB} MiB after`,
    );

    const cpuBefore = cpuTimeMs(api.process.pid);
    const drainStartAt = wallNow();
    const [worker] = await startWorkers(ctx, 1);
    try {
      await client.process.exited;
      await client.stop();
      const apiCpuMs = cpuTimeMs(api.process.pid) - cpuBefore;
      ctx.sampler.sample();
      const apiRssPeakMiB = round1((ctx.sampler.maxKiB.get('api (streams)') ?? 0) / 1024);
      const report = JSON.parse(readFileSync(resultPath, 'utf8')) as StreamsClientResult;

      const sequenceOf = watchers.map((watcher) => watcher.sequence);
      // A watcher whose own batch is committed is told position 0 (never negative) before its decision:
      // that event answers the first batch that reached its place, which no decided count equals.
      const decidedCounts = [...committedAt.keys()].sort((a, b) => a - b);
      const batchOf = (sequence: number, position: number): number | undefined => {
        const decided = sequence - position;
        if (committedAt.has(decided) || position > 0) return committedAt.get(decided);
        const reached = decidedCounts.find((count) => count >= sequence);
        return reached === undefined ? undefined : committedAt.get(reached);
      };
      const delays: number[] = [];
      let unmatchedEvents = 0;
      let pushedEvents = 0;
      const unmatchedSample: Array<[number, number, number]> = [];
      // The last position each watcher was told: an event telling it again is no change to time.
      const told = new Map<number, number>();
      let repeatedEvents = 0;
      /** Every event the API wrote to a watcher while the CPU below was counted. */
      let deliveredEvents = report.decisions;
      for (let i = 0; i < report.positions.length; i += 4) {
        const [index, at, position, first] = report.positions.slice(i, i + 4) as [number, number, number, number];
        if (at >= drainStartAt) deliveredEvents += 1;
        const before = told.get(index);
        told.set(index, position);
        if (first === 1) continue;
        // The API reads each followed request again every 10 s (in case a wake-up was lost) and
        // sends its place even when unchanged: matched to the batch that made that place, such an
        // event would count the 10 s as fan-out delay.
        if (before === position) {
          repeatedEvents += 1;
          continue;
        }
        pushedEvents += 1;
        const commit = batchOf(sequenceOf[index]!, position);
        if (commit === undefined) {
          unmatchedEvents += 1;
          if (unmatchedSample.length < 20) unmatchedSample.push([sequenceOf[index]!, position, Math.round(at - firstBatchAt)]);
        } else delays.push(at - commit);
      }
      delays.sort((a, b) => a - b);

      const violations = await verifyIssues(ctx.databaseUrl, ticketId, Math.min(stock, requests));
      const left = await ctx.redis.llen(ticketKeys(ctx.prefix, { ticketId, epoch: generation.slice(0, 8) }).wait);
      if (left > 0) violations.push(`${left} requests still queued`);
      // Every watcher's stream ends with its decision (a first connection that broke before its
      // answer comes back as a reconnect, so `opened` may count fewer than the watchers).
      if (report.decisions !== count) violations.push(`${report.decisions} decisions for ${count} watchers`);
      const drainMs = Math.round(lastBatchAt - firstBatchAt);
      const uptimeEnd = uptime();
      log(`streams: end, ${uptimeEnd}`);
      return {
        requests,
        streams: count,
        watchMax,
        opened: report.opened,
        openedAtStart: report.openedAtStart,
        refused: report.refused,
        connections: report.connections,
        openMs,
        drainMs,
        decisionsPerSecond: drainMs > 0 ? Math.round((requests / drainMs) * 1000) : 0,
        batches: committedAt.size,
        positionEvents: report.positions.length / 4,
        pushedEvents,
        repeatedEvents,
        measuredEvents: delays.length,
        unmatchedEvents,
        unmatchedSample,
        decisions: report.decisions,
        decisionStatus: report.decisionStatus,
        delayMs: {
          p50: round1(percentile(delays, 50)),
          p90: round1(percentile(delays, 90)),
          p99: round1(percentile(delays, 99)),
          max: round1(delays.at(-1) ?? 0),
        },
        apiCpuMs: Math.round(apiCpuMs),
        deliveredEvents,
        // All of the API's CPU from the worker's start to the last decision, over every event it
        // wrote meanwhile (positions of any kind and the decisions): reconnects are in it too.
        apiCpuPerEventUs: round1((apiCpuMs * 1000) / Math.max(1, deliveredEvents)),
        apiRssIdleMiB,
        apiRssOpenMiB,
        apiCpuOpenMs,
        apiRssPeakMiB,
        clientCpuDrainMs: Math.round(report.cpuDrainMs),
        clientWallMs: report.drainWallMs,
        uptimeStart,
        uptimeEnd,
        loadStart,
        loadEnd: loadavg().map(round1),
        violations,
        timedOut: report.timedOut,
      };
    } finally {
      await worker?.stop();
      await api.process.stop();
    }
  } finally {
    progress.disconnect();
    await queue.close();
    rmSync(resultPath, { force: true });
    rmSync(planPath, { force: true });
    await forgetTicket(ctx, ticketId);
  }
}
