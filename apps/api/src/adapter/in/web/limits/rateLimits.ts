import { isIPv4, isIPv6 } from 'node:net';
import { withinDeadline } from '@ticketing/core';
import type { RedisClient } from '@ticketing/queue';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimitsOptions {
  /** The API's own ioredis client (or Cluster), fail-fast as createRedis makes it. */
  redis: RedisClient;
  /** QUEUE_PREFIX: the counters live under `<prefix>:ratelimit:`. */
  prefix: string;
  /** RATE_SUBMIT_PER_MEMBER: submissions per member per window; 0 turns it off. */
  submitPerMember: number;
  /** RATE_PER_IP: requests under /api/v1 per client address per window; 0 turns it off. */
  perIp: number;
  windowSeconds?: number;
  /** How long Redis may take before this process's own count answers instead. */
  redisTimeoutMs?: number;
}

/**
 * One check against one policy. `policy` and `rateLimit` are list members of the
 * `RateLimit-Policy` and `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers-11
 * (structured fields: a String naming the policy, q quota, w window, r remaining, t seconds
 * left in the window); `rateLimitHeaders` joins them for a response.
 */
export interface RateLimitDecision {
  limited: boolean;
  /** Whole seconds until the window ends, at least 1: the Retry-After of a 429. */
  retryAfterSeconds: number;
  remaining: number;
  policy: string;
  rateLimit: string;
  /** Which count answered: Redis, shared by every API process, or this process's own while Redis is away. */
  counter: 'redis' | 'process';
}

const WINDOW_SECONDS = 60;

/**
 * Shorter than the client's own 1 s commandTimeout: the per-IP check runs before every request
 * and a submission still has its own deadline to meet after it (G8: an answer within 1 s).
 */
const REDIS_TIMEOUT_MS = 200;

/**
 * A limit counted in Redis for all API processes (fixed windows: rate-limiter-flexible's one-key
 * Lua script, so it works on a Redis Cluster too), with a per-process count standing in whenever
 * Redis errs or is slow: the contract keeps the limits per process while Redis is down.
 *
 * The stand-in is called here rather than through RateLimiterRedis's `insuranceLimiter` option:
 * that option runs when the Redis call fails, which for a Redis that stopped answering is after
 * the client's 1 s commandTimeout. Racing the call against a shorter deadline and also letting the
 * library fall back would count the same request twice in the stand-in; this way it counts once.
 */
export class RateLimit {
  readonly #redis: RateLimiterRedis;
  readonly #memory: RateLimiterMemory;
  readonly #timeoutMs: number;
  readonly #policy: string;
  readonly #name: string;

  constructor(options: {
    name: string;
    points: number;
    windowSeconds: number;
    redis: RedisClient;
    keyPrefix: string;
    redisTimeoutMs: number;
  }) {
    const { name, points, windowSeconds, keyPrefix } = options;
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`rate limit name must be a plain word: ${name}`);
    if (!Number.isSafeInteger(points) || points < 1)
      throw new Error(`rate limit ${name}: points must be a positive integer, not ${points}`);
    this.#redis = new RateLimiterRedis({
      storeClient: options.redis,
      keyPrefix,
      points,
      duration: windowSeconds,
      rejectIfRedisNotReady: true,
    });
    this.#memory = new RateLimiterMemory({ keyPrefix, points, duration: windowSeconds });
    this.#timeoutMs = options.redisTimeoutMs;
    this.#name = name;
    this.#policy = `"${name}";q=${points};w=${windowSeconds}`;
  }

  /** Counts one request of `key` and says whether it is over the limit. */
  async consume(key: string): Promise<RateLimitDecision> {
    let outcome: RateLimiterRes;
    let counter: RateLimitDecision['counter'] = 'redis';
    try {
      outcome = await withinDeadline(settled(this.#redis.consume(key)), this.#timeoutMs, redisTooSlow);
    } catch {
      counter = 'process';
      outcome = await settled(this.#memory.consume(key));
    }
    return this.#decision(outcome, counter);
  }

  #decision(outcome: RateLimiterRes & { limited?: boolean }, counter: RateLimitDecision['counter']): RateLimitDecision {
    const limited = outcome.limited === true;
    const seconds = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
    const remaining = limited ? 0 : outcome.remainingPoints;
    return {
      limited,
      retryAfterSeconds: seconds,
      remaining,
      policy: this.#policy,
      rateLimit: `"${this.#name}";r=${remaining};t=${seconds}`,
      counter,
    };
  }
}

/**
 * rate-limiter-flexible rejects with a RateLimiterRes when the key is over its limit, and with an
 * Error when the store fails: the first is an answer, the second is not.
 */
function settled(consumption: Promise<RateLimiterRes>): Promise<RateLimiterRes & { limited?: boolean }> {
  return consumption.then(
    (res) => res,
    (reason: unknown) => {
      if (reason instanceof RateLimiterRes) return Object.assign(reason, { limited: true });
      throw reason;
    },
  );
}

const redisTooSlow = (): never => {
  throw new Error('rate limit: Redis did not answer in time');
};

/** The contract's two limits; each null when turned off (0). */
export class RateLimits {
  /** RATE_SUBMIT_PER_MEMBER, keyed by member id. */
  readonly submissions: RateLimit | null;
  /** RATE_PER_IP, keyed by `clientKey(address)`. */
  readonly requests: RateLimit | null;

  constructor(options: RateLimitsOptions) {
    const windowSeconds = options.windowSeconds ?? WINDOW_SECONDS;
    const redisTimeoutMs = options.redisTimeoutMs ?? REDIS_TIMEOUT_MS;
    const make = (name: string, points: number) =>
      points === 0
        ? null
        : new RateLimit({
            name,
            points,
            windowSeconds,
            redis: options.redis,
            keyPrefix: `${options.prefix}:ratelimit:${name}`,
            redisTimeoutMs,
          });
    this.submissions = make('member', options.submitPerMember);
    this.requests = make('ip', options.perIp);
  }

  /** Counts a submission of `memberId`; null when the limit is off. */
  submission(memberId: number): Promise<RateLimitDecision> | null {
    return this.submissions?.consume(String(memberId)) ?? null;
  }

  /** Counts a request under /api/v1 from `address` (the socket's, or X-Forwarded-For's behind TRUST_PROXY); null when off. */
  request(address: string): Promise<RateLimitDecision> | null {
    return this.requests?.consume(clientKey(address)) ?? null;
  }
}

/**
 * The headers for a response that passed (or failed) these checks: the policies and their
 * current counts as one list each, and Retry-After when any of them is over its limit.
 */
export function rateLimitHeaders(decisions: ReadonlyArray<RateLimitDecision | null>): Record<string, string> {
  const applied = decisions.filter((decision): decision is RateLimitDecision => decision !== null);
  if (applied.length === 0) return {};
  const headers: Record<string, string> = {
    'RateLimit-Policy': applied.map((decision) => decision.policy).join(', '),
    RateLimit: applied.map((decision) => decision.rateLimit).join(', '),
  };
  const limited = applied.filter((decision) => decision.limited);
  if (limited.length > 0) headers['Retry-After'] = String(Math.max(...limited.map((decision) => decision.retryAfterSeconds)));
  return headers;
}

/**
 * Whose count a client address goes to. An IPv4 address (also IPv4-mapped IPv6) is its own; an
 * IPv6 address counts with its /64, the smallest block a host is usually given, or any one
 * machine could walk through 2^64 addresses and never be limited.
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address)) return address;
  const bare = address.split('%')[0]!; // zone index: fe80::1%eth0
  if (!isIPv6(bare)) return address;
  return `${expandIPv6(bare).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16).toString(16));
}
