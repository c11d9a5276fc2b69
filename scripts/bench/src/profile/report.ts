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
      "an old generation that V8 lets grow to several times what survived its last full collection (the in-flight requests' " +
      'objects outlive a scavenge or two; garbage, not a leak), and about 60 MiB of native memory under 256 connections. Tried on ' +
      '2026-11-26 with the 100,000-submission accept: `--max-old-space-size=128` gives about 220 MiB at the same throughput, but a ' +
      'hard cap turns a flood of held long-polls into an out-of-memory crash: each holds about 20 KB of live heap (heap snapshots ' +
      "with 2,000 and 4,000 held; mostly Node's own per-connection HTTP state), and an API capped so died when 10,000 arrived. " +
      'A cap must be sized per deployment to the connections it may hold; glibc `MALLOC_ARENA_MAX=2` with ' +
      'trim thresholds on top gives 191 MiB at +13 % CPU per request; `--max-semi-space-size=8` on top, 168 MiB at +15 %; ' +
      "`--heap-growing-percent=50`, about a third off the peak at +5–10 % CPU. The worker's peak is made the same way (batches " +
      'of 500 requests: their job data, statements and result rows); `--max-old-space-size=128` took a 20,000-request drain from ' +
      '221 to 193 MiB at about 5 % fewer decisions/s, but a worker holding many tickets at once needs room for a batch of each. ' +
      'Throughput and headroom come first: none of these is set.',
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
