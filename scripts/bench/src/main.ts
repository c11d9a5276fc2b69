import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { ACCEPT_WARM_UP, accept, type AcceptResult } from './accept.js';
import { acceptAuth } from './auth/acceptAuth.js';
import { variantSetup } from './auth/variants.js';
import { redisGateFaults as redisGateFaultsOf } from './baselines/redisGateFaults.js';
import { baseline, requestStream, type BaselineName, type BaselineResult } from './baselines/run.js';
import { card, type CardResult } from './card.js';
import { ceiling, type CeilingResult } from './ceiling.js';
import { carryOver } from './carried.js';
import { clusterBench } from './clusterBench.js';
import { REPO_ROOT, TestDatabase } from '@ticketing/testkit';
import { openBenchContext, runId, tearDown } from './context.js';
import { drain, type DrainResult } from './drain.js';
import { profile } from './profile/scenario.js';
import { stopAll } from './processes.js';
import { renderMarkdown, renderSvg, type BenchResults } from './report.js';
import { retentionBench } from './retention.js';
import { repeatMedian } from './stats.js';
import { medianStreamsRun, renderStreamsSection, streamsSectionOf, withStreamsSection, type StreamsResults } from './streams/report.js';
import { streams, type StreamsResult } from './streams/scenario.js';

const ALL = ['ceiling', 'accept', 'drain', 'baselines', 'card', 'profile'] as const;
/**
 * Run only when named: `streams` holds 10,000 connections and drains a 100,000-request drop for one
 * figure of its own (its own results file and section), which a full run does not need each time.
 */
const ON_PURPOSE = ['streams'] as const;
type Scenario = (typeof ALL)[number] | (typeof ON_PURPOSE)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenarios: { type: 'string' },
    'no-docs': { type: 'boolean', default: false },
    render: { type: 'string' },
    'render-streams': { type: 'string' },
    keep: { type: 'string' },
    cluster: { type: 'boolean', default: false },
    retention: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    `npm run bench [-- --quick] [--scenarios ${[...ALL, ...ON_PURPOSE].join(',')}] [--no-docs] [--keep bench/results/<earlier>.json] [--render bench/results/<file>.json]\n  --keep: the scenarios not measured now are carried over from an earlier run, marked as such (sections that run carried itself keep the run they were measured in)\n  streams: run only when named; its figures go to bench/results/<day>-streams.json and their own section of docs/BENCHMARKS.md\n  --render-streams bench/results/<day>-streams.json: rewrites that section alone, measuring nothing\nnpm run bench -- --cluster [--quick] [--no-docs]   scaling figures of docs/SCALING.md (1 Redis vs a local 3-master cluster)\nnpm run bench -- --retention [--quick] [--no-docs]   Redis memory of a 100,000-request drop and polls before and after its retention (docs/SCALING.md)\n`,
  );
  process.exit(0);
}
if (values.cluster) {
  // The scaling figures alone: 1, 10, 100 tickets × 1, 2, 4 workers on 1 Redis and on a local cluster.
  const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  await clusterBench({ quick: values.quick ?? false, writeDocs: !values['no-docs'], log });
  process.exit(0);
}
if (values.retention) {
  const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  await retentionBench({ quick: values.quick ?? false, writeDocs: !values['no-docs'], log });
  process.exit(0);
}
if (values.render !== undefined) {
  // Re-renders docs/BENCHMARKS.md and docs/benchmarks.svg from a results file, measuring nothing.
  const results = JSON.parse(readFileSync(values.render, 'utf8')) as BenchResults;
  writeFileSync(`${REPO_ROOT}docs/benchmarks.svg`, renderSvg(results));
  writeBenchmarksDoc(renderMarkdown(results, values.render.replace(REPO_ROOT, '')));
  process.exit(0);
}
if (values['render-streams'] !== undefined) {
  const results = JSON.parse(readFileSync(values['render-streams'], 'utf8')) as StreamsResults;
  writeStreamsSection(results, values['render-streams'].replace(REPO_ROOT, ''));
  process.exit(0);
}
const scenarios = (values.scenarios ?? ALL.join(',')).split(',').map((s) => s.trim()) as Scenario[];
for (const s of scenarios) if (![...ALL, ...ON_PURPOSE].includes(s)) throw new Error(`unknown scenario ${s}`);
const quick = values.quick ?? false;
const sizes = quick
  ? {
      repeats: 1,
      ceilingS: 3,
      accept: 20_000,
      hotQueued: 20_000,
      hotStock: 10_000,
      perTicket: 2_000,
      baselineRequests: 2_000,
      baselineStock: 200,
      jwtTokens: 5_000,
      countedSubmissions: 5_000,
    }
  : {
      repeats: 3,
      ceilingS: 10,
      accept: 100_000,
      hotQueued: 100_000,
      hotStock: 10_000,
      perTicket: 10_000,
      baselineRequests: 10_000,
      baselineStock: 1_000,
      jwtTokens: 20_000,
      countedSubmissions: 20_000,
    };
// Issue 14's figure: 10,000 streams while a 100,000-request drop drains (stock = requests: admission
// queues no more requests than the stock).
const streamSizes = quick ? { requests: 10_000, streams: 1_000, stock: 10_000 } : { requests: 100_000, streams: 10_000, stock: 100_000 };

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

const repeat = <T extends Record<string, unknown>>(name: string, times: number, once: () => Promise<T>): Promise<T> =>
  repeatMedian(name, times, once, log);

async function main(): Promise<void> {
  const ctx = await openBenchContext({ quick, repeats: sizes.repeats });
  const { sampler } = ctx;
  log(`database bench_${runId}, prefix ${ctx.prefix}, ${quick ? 'quick' : 'full'} run: ${scenarios.join(', ')}`);
  const results: BenchResults = {
    date: new Date().toISOString(),
    quick,
    machine: { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    sizes,
    scenarios: {},
    rssMiB: {},
  };
  const streamsRuns: StreamsResult[] = [];
  try {
    const needMembers = Math.max(
      // accept's warm-up takes members of its own: every measured token is new to the API.
      scenarios.includes('accept') ? sizes.accept + ACCEPT_WARM_UP : 0,
      scenarios.includes('drain') ? sizes.hotQueued : 0,
      scenarios.includes('baselines') ? sizes.baselineRequests : 0,
      scenarios.includes('card') ? 10_000 : 0,
      scenarios.includes('profile') ? Math.max(sizes.accept + ACCEPT_WARM_UP, sizes.hotQueued) : 0,
      scenarios.includes('streams') ? streamSizes.requests : 0,
    );
    if (needMembers > 0) {
      ctx.memberIds = await new TestDatabase(ctx.databaseUrl).insertMembers(`bench-${runId}`, needMembers);
      log(`${ctx.memberIds.length} members inserted`);
    }
    if (scenarios.includes('ceiling')) {
      results.scenarios.ceiling = await repeat<CeilingResult & Record<string, unknown>>(
        'ceiling',
        sizes.repeats,
        () => ceiling(ctx, sizes.ceilingS) as Promise<CeilingResult & Record<string, unknown>>,
      );
    }
    if (scenarios.includes('accept')) {
      // With authentication and limits on (the default) and off, in the same run.
      const auth = await acceptAuth(ctx, sizes, log);
      results.scenarios.accept = auth.variants.on;
      results.scenarios.acceptAuth = auth;
      // The same API (limits at their defaults) twice on one port, as `npm start -- --apis 2` runs it.
      results.scenarios.acceptTwoApis = await repeat<AcceptResult & Record<string, unknown>>(
        'accept, 2 API processes',
        sizes.repeats,
        () =>
          accept(ctx, sizes.accept, { ...variantSetup('on').process, apis: 2, role: 'api ×2' }) as Promise<
            AcceptResult & Record<string, unknown>
          >,
      );
    }
    if (scenarios.includes('drain')) {
      type D = DrainResult & Record<string, unknown>;
      const hot = await repeat<D>(
        'drain hot',
        sizes.repeats,
        () => drain(ctx, { tickets: 1, queuedPerTicket: sizes.hotQueued, stockPerTicket: sizes.hotStock, workers: 1 }) as Promise<D>,
      );
      const spread: Record<string, D> = {};
      for (const workers of [1, 2, 4]) {
        spread[String(workers)] = await repeat<D>(
          `drain 10 tickets, ${workers} workers`,
          sizes.repeats,
          () =>
            drain(ctx, {
              tickets: 10,
              queuedPerTicket: sizes.perTicket,
              stockPerTicket: Math.round(sizes.perTicket / 10),
              workers,
            }) as Promise<D>,
        );
      }
      results.scenarios.drain = { hot, tenTickets: spread };
    }
    if (scenarios.includes('baselines')) {
      type B = BaselineResult & Record<string, unknown>;
      const stream = requestStream(ctx.memberIds, sizes.baselineRequests);
      const out: Record<string, B> = {};
      for (const name of ['redisLock', 'forUpdate', 'bullmqJobPerTx', 'redisGate'] as BaselineName[]) {
        out[name] = await repeat<B>(
          `baseline ${name}`,
          sizes.repeats,
          () => baseline(ctx, name, stream, sizes.baselineStock) as Promise<B>,
        );
      }
      // Ours on the same-size stream (same members, same stock), 1 worker.
      const ours = await repeat<DrainResult & Record<string, unknown>>(
        'ours, baseline stream',
        sizes.repeats,
        () =>
          // A role of its own, so the worker memory target stays the drain scenario's (a baselines-only run does not hide it).
          drain(
            ctx,
            { tickets: 1, queuedPerTicket: sizes.baselineRequests, stockPerTicket: sizes.baselineStock, workers: 1 },
            { role: 'worker, baseline stream' },
          ) as Promise<DrainResult & Record<string, unknown>>,
      );
      // Ours end to end on the same stream, in its order (1 API + 1 worker): when each member's
      // decision exists, to set beside (d)'s synchronous answers and its rows written later.
      const oursThroughApi = await repeat<CardResult & Record<string, unknown>>(
        'ours through the API, baseline stream',
        sizes.repeats,
        () => card(ctx, stream.length, sizes.baselineStock, stream) as Promise<CardResult & Record<string, unknown>>,
      );
      // Once, after the measured runs: (d) under a consumer crash and a loss of its Redis keys.
      const redisGateFaults = await redisGateFaultsOf(ctx, stream, sizes.baselineStock);
      log(`baseline redisGate faults: ${JSON.stringify(redisGateFaults)}`);
      results.scenarios.baselines = { ...out, ours, oursThroughApi, redisGateFaults };
    }
    if (scenarios.includes('card')) {
      results.scenarios.card = await repeat<CardResult & Record<string, unknown>>(
        'card',
        sizes.repeats,
        () => card(ctx, 10_000, 1_000) as Promise<CardResult & Record<string, unknown>>,
      );
    }
    if (scenarios.includes('profile')) {
      // Last, and once: the profiler's own cost must not reach the medians above.
      results.scenarios.profile = await profile(ctx, sizes, results.date.slice(0, 10));
      log(
        `profile: accept ${JSON.stringify(results.scenarios.profile.accept.run)}, drain ${JSON.stringify(results.scenarios.profile.drain.run)}, raw profiles in ${results.scenarios.profile.directory}`,
      );
    }
    if (scenarios.includes('streams')) {
      // Last: each run leaves 10,000 closed connections in TIME_WAIT behind it (the API's side).
      for (let run = 1; run <= sizes.repeats; run++) {
        const result = await streams(ctx, streamSizes, log);
        log(`streams #${run}: ${JSON.stringify(result)}`);
        streamsRuns.push(result);
      }
    }
  } finally {
    sampler.sample();
    for (const [role, kib] of sampler.maxKiB) results.rssMiB[role] = Math.round((kib / 1024) * 10) / 10;
    await tearDown(ctx, log);
  }
  const day = results.date.slice(0, 10);
  mkdirSync(`${REPO_ROOT}bench/results`, { recursive: true });
  if (streamsRuns.length > 0) {
    const streamsFile = `bench/results/${day}${quick ? '-quick' : ''}-streams.json`;
    const streamsResults: StreamsResults = { date: results.date, quick, machine: results.machine, ...medianStreamsRun(streamsRuns) };
    writeFileSync(`${REPO_ROOT}${streamsFile}`, `${JSON.stringify(streamsResults, null, 2)}\n`);
    log(`wrote ${streamsFile}`);
    if (!values['no-docs']) writeStreamsSection(streamsResults, streamsFile);
    process.stdout.write(`${JSON.stringify(streamsResults, null, 2)}\n`);
  }
  // A streams-only run leaves the other figures, their results file and their sections as they are.
  if (scenarios.every((scenario) => scenario === 'streams')) return;
  if (values.keep !== undefined) {
    const kept = JSON.parse(readFileSync(values.keep, 'utf8')) as BenchResults;
    carryOver(results, kept, values.keep.replace(REPO_ROOT, ''), scenarios);
  }
  const jsonPath = `${REPO_ROOT}bench/results/${day}${quick ? '-quick' : ''}.json`;
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${jsonPath}`);
  if (!values['no-docs']) {
    writeFileSync(`${REPO_ROOT}docs/benchmarks.svg`, renderSvg(results));
    writeBenchmarksDoc(renderMarkdown(results, jsonPath.slice(REPO_ROOT.length)));
    log('wrote docs/BENCHMARKS.md and docs/benchmarks.svg');
  }
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

/** Writes docs/BENCHMARKS.md anew, keeping the streams section it has (that scenario runs on its own). */
function writeBenchmarksDoc(markdown: string): void {
  const path = `${REPO_ROOT}docs/BENCHMARKS.md`;
  const kept = streamsSectionOf(readFileSync(path, 'utf8'));
  writeFileSync(path, kept === null ? markdown : withStreamsSection(markdown, kept));
}

function writeStreamsSection(results: StreamsResults, jsonPath: string): void {
  const path = `${REPO_ROOT}docs/BENCHMARKS.md`;
  writeFileSync(path, withStreamsSection(readFileSync(path, 'utf8'), renderStreamsSection(results, jsonPath)));
  process.stderr.write(`wrote the streams section of docs/BENCHMARKS.md\n`);
}

const guard = setTimeout(() => {
  log('bench exceeded 40 minutes; stopping its processes');
  void stopAll().then(() => process.exit(3));
}, 40 * 60_000);
guard.unref();

try {
  await main();
  process.exit(0);
} catch (error) {
  log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
  await stopAll();
  process.exit(1);
}
