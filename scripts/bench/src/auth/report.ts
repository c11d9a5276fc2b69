import { median } from '../stats.js';
import type { AcceptAuthResult } from './acceptAuth.js';
import type { AuthVariant } from './variants.js';

/** On keeps at least this share of off's accepted/s (issue 12, Performance). */
export const AUTH_TARGET = 0.9;

const fmt = (value: unknown): string =>
  typeof value === 'number' ? value.toLocaleString('en-US') : value === undefined ? '—' : String(value);
const pass = (ok: boolean): string => (ok ? 'met' : '**missed**');
const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)} %`;

const LABELS: Record<AuthVariant, string> = {
  on: 'on (the default): token verified, per-member limit counted in Redis',
  limitsOff: 'limits off: token verified, RATE_SUBMIT_PER_MEMBER=0, RATE_PER_IP=0',
  off: 'off: token read, not verified (bench-only hook), limits off',
};

/** x / y of one field in each round: a round's runs are the closest in time, so the machine's drift cancels best. */
function perRound(a: AcceptAuthResult, x: AuthVariant, y: AuthVariant, field: 'acceptedPerSecond' | 'apiCpuUsPerRequest'): number[] {
  return a.runs[x].map((run, n) => run[field] / a.runs[y][n]![field]);
}

/** A warning when the rounds disagree more than the variants can differ: the machine's load moved under them. */
function noisy(ratios: number[]): string {
  const spread = Math.max(...ratios) / Math.min(...ratios);
  return spread > 1.25
    ? `**The rounds disagree by a factor of ${spread.toFixed(1)}**: the load of this shared machine moved more than the variants differ, so the API's CPU per request below is the steadier comparison. `
    : '';
}

/** The target's figure: the median over the rounds of on / off accepted/s. */
export function authRatio(a: AcceptAuthResult): number {
  return median(perRound(a, 'on', 'off', 'acceptedPerSecond'));
}

/** The section of docs/BENCHMARKS.md comparing accept with authentication and limits on and off. */
export function renderAcceptAuth(a: AcceptAuthResult): string[] {
  const { on, limitsOff, off } = a.variants;
  const ratio = authRatio(a);
  const lines = [
    '## Accept with authentication and limits on and off',
    '',
    `The accept scenario above, in ${a.rounds} round${a.rounds === 1 ? '' : 's'} of this one run; each round runs the three APIs below once, in a rotated order, and the figures are medians. ` +
      `Every request carries its own member's HS256 token; the on API's limits were \`${a.policy || 'none'}\` (its RateLimit-Policy; RATE_PER_IP is off by default). ` +
      'After each run one valid and one forged token prove the API is the variant it claims (RateLimit headers exactly when limits count, 401 for the forged token exactly when tokens are verified).',
    '',
    '| API | accepted/s | p50 ms | p95 ms | p99 ms | API CPU µs per request | not 202 |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const variant of ['on', 'limitsOff', 'off'] as const) {
    const v = a.variants[variant];
    lines.push(
      `| ${[LABELS[variant], v.acceptedPerSecond, v.p50, v.p95, v.p99, v.apiCpuUsPerRequest, v.otherStatuses].map(fmt).join(' | ')} |`,
    );
  }
  const list = (ratios: number[]) => ratios.map(percent).join(', ');
  const cpuMore = perRound(a, 'on', 'off', 'apiCpuUsPerRequest').map((r) => r - 1);
  const verifyMore = perRound(a, 'limitsOff', 'off', 'apiCpuUsPerRequest').map((r) => r - 1);
  const limitMore = perRound(a, 'on', 'limitsOff', 'apiCpuUsPerRequest').map((r) => r - 1);
  lines.push(
    '',
    `- **On keeps ${percent(ratio)} of off's accepted/s** (median over the rounds of on/off within a round: ${list(perRound(a, 'on', 'off', 'acceptedPerSecond'))}); ` +
      `target ≥ ${AUTH_TARGET * 100} %: ${pass(ratio >= AUTH_TARGET)}. The ratio of the medians above is ${percent(on.acceptedPerSecond / off.acceptedPerSecond)}. ` +
      noisy(perRound(a, 'on', 'off', 'acceptedPerSecond')) +
      `Limits alone, on/limits off per round: ${list(perRound(a, 'on', 'limitsOff', 'acceptedPerSecond'))}; verification alone, limits off/off: ${list(perRound(a, 'limitsOff', 'off', 'acceptedPerSecond'))}.`,
    `- **API CPU per request** (what the API itself spends; requests per second also move with what else this shared machine runs): ` +
      `on spent ${list(cpuMore)} more than off in the rounds (median ${percent(median(cpuMore))}); verifying the token ${list(verifyMore)} (limits off over off), ` +
      `counting the submission ${list(limitMore)} (on over limits off). Where the API process is what bounds throughput (a core of its own), these shares are what it would lose.`,
    `- **Latency** (medians of the rounds): p50 ${fmt(off.p50)} → ${fmt(limitsOff.p50)} → ${fmt(on.p50)} ms and p99 ${fmt(off.p99)} → ${fmt(limitsOff.p99)} → ${fmt(on.p99)} ms (off → limits off → on). ` +
      "At 256 connections in flight the mean latency is 256 / throughput (Little's law), so it moves with accepted/s.",
    '',
    '### JWT verification cost per request',
    '',
    `jose \`jwtVerify\` with the options of the API's TokenVerifier for AUTH_JWT_SECRET (HMAC key imported once, HS256 only, \`aud\` ticketing, \`exp\` required, 30 s tolerance), ` +
      `${fmt(a.jwt.tokens)} distinct tokens, median of ${a.jwt.rounds} rounds after a warm-up round, in the bench process alone.`,
    '',
    '| what | µs per token |',
    '|---|---|',
    `| CPU of one verification (all threads: WebCrypto's HMAC runs on libuv's thread pool) | ${fmt(a.jwt.cpuUs)} |`,
    `| wall time per verification, 256 in flight | ${fmt(a.jwt.concurrentUs)} |`,
    `| wall time of one verification awaited alone (the hop to the thread pool and back) | ${fmt(a.jwt.sequentialUs)} |`,
    `| \`decodeJwt\` alone, what the off API does instead | ${fmt(a.jwt.decodeOnlyUs)} |`,
    ...(a.jwt.nodeHmacUs === undefined
      ? []
      : [
          `| for comparison, not what the API does: the HS256 signature alone checked by \`node:crypto\` (createHmac, timingSafeEqual) on the calling thread | ${fmt(a.jwt.nodeHmacUs)} |`,
        ]),
    '',
    `The API verifies each token it has not verified recently and keeps the last ones it verified (every token in this scenario is new to it). ` +
      `Against the ${fmt(on.apiCpuUsPerRequest)} µs of CPU a submission costs the API, one verification is ${percent(a.jwt.cpuUs / on.apiCpuUsPerRequest)}.`,
    '',
    ...renderRedis(a),
  );
  return lines;
}

function renderRedis(a: AcceptAuthResult): string[] {
  // Results files of the first version of this section counted per 202 under other names: not shown.
  const variants = (['on', 'limitsOff', 'off'] as const).filter((v) => a.redis[v]?.commandsPerSubmission !== undefined);
  if (variants.length === 0) return [];
  const first = a.redis[variants[0]!];
  const lines = [
    '### Redis work per submission',
    '',
    `Each API once more with ${fmt(first?.submissions)} submissions (after the usual warm-up) against a redis-server of its own, whose statistics are reset after the warm-up: ` +
      'INFO commandstats counts a script call and, apart, every command the script runs; socket reads (`total_reads_processed`) count how often Redis found commands waiting, about the round trips.',
    '',
    '| API | submissions (202) | commands per submission | script calls per submission | socket reads per submission | commands by name per submission |',
    '|---|---|---|---|---|---|',
  ];
  for (const variant of variants) {
    const r = a.redis[variant]!;
    const byName = Object.entries(r.byCommand)
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([name, per]) => `${name} ${per}`)
      .join(', ');
    const counted = `${fmt(r.submissions)} (${fmt(r.accepted)})`;
    lines.push(
      `| ${[variant, counted, r.commandsPerSubmission, r.scriptsPerSubmission, r.readsPerSubmission, byName].map(fmt).join(' | ')} |`,
    );
  }
  const on = a.redis.on;
  const limitsOff = a.redis.limitsOff;
  if (on && limitsOff) {
    lines.push(
      '',
      `The per-member limit adds ${fmt(Math.round((on.scriptsPerSubmission - limitsOff.scriptsPerSubmission) * 100) / 100)} script call per submission ` +
        `(rate-limiter-flexible's one-key script: SET NX with the window, INCRBY, PTTL; ${fmt(Math.round((on.commandsPerSubmission - limitsOff.commandsPerSubmission) * 100) / 100)} commands in all), ` +
        'each awaited before the submission goes on to its admission. The counts go over a connection of their own whose commands of one event-loop turn leave as one pipeline ' +
        `(ioredis autopipelining), so they share round trips: Redis read client sockets ${fmt(on.readsPerSubmission)} times per submission with the limit, ${fmt(limitsOff.readsPerSubmission)} without. ` +
        'The admission itself is shared by the submissions of a ticket in one event-loop turn (admitBatch.lua, enqueueBatch.lua storing the jobs as BullMQ does, SADD: a fraction of a call per submission).',
    );
  }
  lines.push('');
  return lines;
}

/** The target's line for "Targets: met, missed, and what bounds them". */
export function authTargetLine(a: AcceptAuthResult): string {
  const ratio = authRatio(a);
  return (
    `- accept with authentication and limits on ≥ ${AUTH_TARGET * 100} % of off — ${percent(ratio)}: ${pass(ratio >= AUTH_TARGET)}. ` +
    `The API's CPU per request grows by ${percent(median(perRound(a, 'on', 'off', 'apiCpuUsPerRequest')) - 1)} with both (median over the rounds); ` +
    'see "Accept with authentication and limits on and off".'
  );
}
