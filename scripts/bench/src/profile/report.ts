import type { ProfileResult } from './scenario.js';
import type { ProfileSummary } from './summarise.js';

const fmt = (value: number): string => value.toLocaleString('en-US');

/** The CPU-profile section of BENCHMARKS.md, every figure from this run's profiles. */
export function renderProfile(p: ProfileResult): string[] {
  const a = p.accept.run;
  const d = p.drain.run;
  return [
    '## CPU profiles: the API under accept, the worker under drain',
    '',
    'One extra pass of each scenario with the process under `node --cpu-prof` (1 ms sampling), after the measured ones, so the ' +
      'profiler costs nothing above. Self time is the time a frame was on top of the stack; `(idle)` is the event loop waiting ' +
      "(on Redis, MariaDB, or the CPU that autocannon, Redis and MariaDB take on this 2-core machine). Each process's start-up, " +
      'up to its being ready, is left out; the accept warm-up is in. ' +
      `Raw profiles are left in \`${p.directory}/\` (not committed; open them in Chrome DevTools).`,
    '',
    `- **API, accept** (${fmt(a.submissions)} submissions of distinct members, 256 connections, warm-up included): ` +
      `${fmt(a.acceptedPerSecond)} accepted/s, p50 ${a.p50} ms, p99 ${a.p99} ms under the profiler; ${fmt(p.accept.api.sampledMs)} ms sampled.`,
    `- **Worker, drain** (one ticket, ${fmt(d.queued)} queued, 1 worker): ${fmt(d.decisionsPerSecond)} decisions/s under the profiler, ` +
      `${d.violations} violations; ${fmt(p.drain.worker.sampledMs)} ms sampled.`,
    '',
    ...pointers(p),
    ...profileTables('API under accept', p.accept.api),
    ...profileTables('Worker under drain', p.drain.worker),
  ];
}

/** What the figures say, in words; the numbers come from this run's profiles. */
function pointers(p: ProfileResult): string[] {
  const api = p.accept.api.layers;
  const worker = p.drain.worker.layers;
  return [
    '### What the profiles point to',
    '',
    `- **The API is busy, not waiting**: idle is ${api.idle} % of its time. Node's HTTP and socket handling with Express and its ` +
      `middleware take ${api.httpAndExpress} %, the part the bare-Express ceiling pays as well; the Redis client and BullMQ ` +
      `${api.redisAndBullmq} %; Prisma and the MariaDB driver (the member check) ${api.prismaAndDriver} %; garbage collection ` +
      `${api.gc} %; this repository's own code ${api.workspace} %. What is left to take is per-request framework work, not round trips.`,
    '- **Taken from the first profile of issue 5** (36 % idle on MariaDB and Redis round trips, 10 % GC, 14 % socket writes, pino-http ' +
      'building a child logger per request even at `LOG_LEVEL=warn`): submissions of one ticket arriving in the same event-loop ' +
      'turn share one admission script call (`admitBatch.lua`), one BullMQ `addBulk` and one active-ticket `SADD`, so Redis round ' +
      'trips and socket writes are paid per turn, not per request; member checks of a turn share one query and one timeout; the ' +
      'request log line is built only when its level is logged; the usual submission body and path are recognised without zod.',
    "- **Taken since the previous profile** (2026-11-26): helmet's eleven middlewares ran per request to set the same headers every " +
      'time; they are now recorded once at start-up and set from a list, and the HTTP metrics look up their labelled series by a ' +
      "string instead of having prom-client hash a label object per request. Together about 5–7 % of the API's CPU per request.",
    "- **Memory**: the API's RSS peak under accept is the node binary (about 39 MiB, file-backed), the young generation (32 MiB), " +
      "an old generation that V8 lets grow past what survived its last full collection (the in-flight requests' objects outlive " +
      'a scavenge or two; garbage, not a leak), about 60 MiB of native memory under 256 connections, and, until 2026-12-05, some ' +
      "50 MiB of V8's optimised code for Prisma's WebAssembly query compiler. Two settings taken on 2026-12-05, both now what " +
      "`npm start`, the Docker image, docker-compose, the tests and this bench run: (1) Prisma's size-optimised query compiler " +
      '(`compilerBuild = "small"` in schema.prisma; the client caches query plans, so it compiles once per query shape): idle RSS ' +
      "184 → 133 MiB for the API, the worker's start-up peak 174 → 125 MiB; in quick drains (20,000 requests, alternated 3 times) the " +
      "worker's peak went from 219–225 to 157–169 MiB at the same decisions/s (hot 15,711 / 19,702 / 19,010 with the default " +
      'compiler, 18,318 / 18,929 / 18,200 with the small one). (2) `--max-old-space-size=1024` for the worker as well as the API: ' +
      'besides bounding the heap, a limit under 2 GiB makes V8 grow the old generation to at most 1.6× what survived (up to 4× ' +
      'on this 24 GiB machine without it). In quick accept runs alternated with and without it (18:15–18:28 UTC, load 2.2–3.1), ' +
      'the default API peaked at 191.9 / 201.9 MiB with it and 299.0 / 295.7 without, at 569 / 560 against 636 / 417 µs of CPU ' +
      'per request: the rounds disagree more than the settings differ. Tried as well: `--liftoff-only` (no optimised WebAssembly) ' +
      'took about as much off as the small compiler and nothing more on top of it. Earlier (2026-11-26): `--max-old-space-size=128` ' +
      "dies when 10,000 long-polls are held (each holds about 20 KB of live heap, mostly Node's per-connection HTTP state); glibc " +
      '`MALLOC_ARENA_MAX=2` with trim thresholds cost +13 % CPU per request, `--max-semi-space-size=8` +15 %, ' +
      '`--heap-growing-percent=50` +5–10 %: none of those is set.',
    `- **Worker under drain**: idle ${worker.idle} % (waiting on the batch transaction and Redis), Prisma and the MariaDB driver ` +
      `${worker.prismaAndDriver} %, the Redis client ${worker.redisAndBullmq} %, garbage collection ${worker.gc} %.`,
    '',
  ];
}

function profileTables(title: string, summary: ProfileSummary): string[] {
  const lines = [`### ${title}`, '', 'Self time by place:', '', '| share | place |', '|---|---|'];
  for (const { place, selfPercent } of summary.places) lines.push(`| ${selfPercent} % | ${escapePipes(place)} |`);
  lines.push('', 'Top frames by self time:', '', '| share | frame | where | place |', '|---|---|---|---|');
  for (const { frame, where, place, selfPercent } of summary.frames) {
    lines.push(`| ${selfPercent} % | \`${escapePipes(frame)}\` | ${where ? `\`${escapePipes(where)}\`` : '—'} | ${escapePipes(place)} |`);
  }
  lines.push('');
  return lines;
}

const escapePipes = (text: string): string => text.replace(/\|/g, '\\|');
