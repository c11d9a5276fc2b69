import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPipelinedClient, createRedis, redisReady, type RedisClient } from '@ticketing/queue';
import { clientKey, rateLimitHeaders, RateLimits, type RateLimitDecision } from '../../src/adapter/in/web/limits/rateLimits.js';
import { removeRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '@ticketing/testkit';

/**
 * G10: submissions per member and requests per address are counted in Redis for every API
 * process; with Redis away each process keeps its own count, and answers at once (G8).
 */
const prefix = uniqueRedisPrefix();
const clients: RedisClient[] = [];

/** The client an API process counts with: a pipelined copy of its fail-fast main connection. */
async function appLikeClient(url = TEST_REDIS_URL): Promise<RedisClient> {
  const main = createRedis({ redisUrl: url }, 'rate-limit-test');
  const redis = createPipelinedClient(main, 'rate-limit-test-limits');
  clients.push(main, redis);
  await Promise.all([redisReady(main, 2000), redisReady(redis, 2000)]);
  return redis;
}

afterAll(async () => {
  for (const redis of clients) if (redis.status !== 'end') redis.disconnect();
  await removeRedisPrefix(prefix);
});

async function consumeMany(check: () => Promise<RateLimitDecision> | null, times: number): Promise<RateLimitDecision[]> {
  const decisions: RateLimitDecision[] = [];
  for (let i = 0; i < times; i += 1) decisions.push((await check())!);
  return decisions;
}

describe('against the shared Redis', () => {
  let processA: RateLimits;
  let processB: RateLimits;
  let redis: RedisClient;

  beforeAll(async () => {
    // Two API processes: two clients, two limiter sets, one Redis.
    redis = await appLikeClient();
    processA = new RateLimits({ redis, prefix, submitPerMember: 5, perIp: 20 });
    processB = new RateLimits({ redis: await appLikeClient(), prefix, submitPerMember: 5, perIp: 20 });
  });

  test("two processes share one member's count: the sixth submission in the minute is limited, wherever it lands", async () => {
    const memberId = 4242;
    const first = await consumeMany(() => processA.submission(memberId), 3);
    const second = await consumeMany(() => processB.submission(memberId), 2);
    expect([...first, ...second].map((decision) => [decision.limited, decision.remaining, decision.counter])).toEqual([
      [false, 4, 'redis'],
      [false, 3, 'redis'],
      [false, 2, 'redis'],
      [false, 1, 'redis'],
      [false, 0, 'redis'],
    ]);
    const sixth = (await processA.submission(memberId))!;
    expect(sixth).toMatchObject({ limited: true, remaining: 0, counter: 'redis', policy: '"member";q=5;w=60' });
    expect(sixth.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(sixth.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(sixth.rateLimit).toBe(`"member";r=0;t=${sixth.retryAfterSeconds}`);
    expect((await processB.submission(memberId))!.limited).toBe(true);
    // Another member is not affected.
    expect((await processB.submission(memberId + 1))!).toMatchObject({ limited: false, remaining: 4 });
  });

  test('the counters live under the deployment prefix and expire with their window', async () => {
    await processA.submission(777);
    const key = `${prefix}:ratelimit:member:777`;
    expect(await redis.get(key)).toBe('1');
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  test('a flood from one address is limited to its quota, concurrently too, while another address is served', async () => {
    const flood = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? processA : processB).request('203.0.113.7')!));
    expect(flood.filter((decision) => !decision.limited)).toHaveLength(20);
    expect(flood.filter((decision) => decision.limited)).toHaveLength(30);
    expect(flood.every((decision) => decision.counter === 'redis')).toBe(true);
    expect((await processA.request('203.0.113.7'))!.limited).toBe(true);
    expect((await processA.request('203.0.113.8'))!).toMatchObject({ limited: false, remaining: 19, policy: '"ip";q=20;w=60' });
  });

  test('an IPv6 host counts with its /64; IPv4-mapped addresses count as IPv4', async () => {
    await consumeMany(() => processA.request('2001:db8:1:2::1'), 10);
    await consumeMany(() => processB.request('2001:db8:1:2:ffff:ffff:ffff:fffe'), 10);
    expect((await processA.request('2001:db8:1:2::abcd'))!.limited).toBe(true);
    expect((await processA.request('2001:db8:1:3::1'))!.limited).toBe(false);
    await consumeMany(() => processA.request('198.51.100.1'), 20);
    expect((await processB.request('::ffff:198.51.100.1'))!.limited).toBe(true);
  });

  test('a short window resets: the member may submit again once it has passed', async () => {
    const quick = new RateLimits({ redis, prefix: `${prefix}:quick`, submitPerMember: 2, perIp: 0, windowSeconds: 1 });
    await consumeMany(() => quick.submission(1), 2);
    expect((await quick.submission(1))!).toMatchObject({ limited: true, retryAfterSeconds: 1, rateLimit: '"member";r=0;t=1' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await quick.submission(1))!).toMatchObject({ limited: false, remaining: 1 });
  });

  test('0 turns a limit off: no check, no header, nothing written to Redis', async () => {
    const offPrefix = `${prefix}:off`;
    const off = new RateLimits({ redis, prefix: offPrefix, submitPerMember: 0, perIp: 0 });
    expect(off.submissions).toBeNull();
    expect(off.requests).toBeNull();
    for (let i = 0; i < 100; i += 1) {
      expect(off.submission(1)).toBeNull();
      expect(off.request('192.0.2.1')).toBeNull();
    }
    expect(rateLimitHeaders([await off.submission(1), await off.request('192.0.2.1')])).toEqual({});
    expect(await redis.keys(`${offPrefix}:*`)).toEqual([]);
  });
});

describe('headers', () => {
  const decision = (over: Partial<RateLimitDecision>): RateLimitDecision => ({
    limited: false,
    retryAfterSeconds: 30,
    remaining: 3,
    policy: '"ip";q=100;w=60',
    rateLimit: '"ip";r=3;t=30',
    counter: 'redis',
    ...over,
  });

  test('one policy: RateLimit-Policy and RateLimit, no Retry-After while under the limit', () => {
    expect(rateLimitHeaders([decision({})])).toEqual({ 'RateLimit-Policy': '"ip";q=100;w=60', RateLimit: '"ip";r=3;t=30' });
  });

  test('two policies make one list each; Retry-After is the longest wait among the limited', () => {
    const member = decision({
      limited: true,
      retryAfterSeconds: 42,
      remaining: 0,
      policy: '"member";q=10;w=60',
      rateLimit: '"member";r=0;t=42',
    });
    expect(rateLimitHeaders([decision({}), null, member])).toEqual({
      'RateLimit-Policy': '"ip";q=100;w=60, "member";q=10;w=60',
      RateLimit: '"ip";r=3;t=30, "member";r=0;t=42',
      'Retry-After': '42',
    });
  });
});

describe('clientKey', () => {
  test.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:DB8:0:0:1:2:3:4', '2001:db8:0:0::/64'],
    ['2001:db8:aa:bb:cc::1', '2001:db8:aa:bb::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s counts as %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});

/** A redis-server of this test's own, so stopping it harms nobody; killed by its pid only. */
class OwnRedis {
  #child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async start(): Promise<OwnRedis> {
    const own = new OwnRedis(await freePort(), await mkdtemp(join(tmpdir(), 'ratelimit-redis-')));
    await own.start();
    return own;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
      { stdio: 'ignore' },
    );
    this.#child = child;
    const probe = createRedis({ redisUrl: this.url }, 'rate-limit-probe');
    try {
      await redisReady(probe, 10_000);
    } finally {
      probe.disconnect();
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.#child?.kill(signal);
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async destroy(): Promise<void> {
    this.signal('SIGCONT');
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function timed<T>(work: Promise<T> | null): Promise<{ value: T; ms: number }> {
  const startedAt = performance.now();
  const value = await work!;
  return { value, ms: performance.now() - startedAt };
}

describe('with Redis down', () => {
  let own: OwnRedis;
  let limitsA: RateLimits;
  let limitsB: RateLimits;
  const ownClients: RedisClient[] = [];

  beforeAll(async () => {
    own = await OwnRedis.start();
    ownClients.push(await appLikeClient(own.url), await appLikeClient(own.url));
    limitsA = new RateLimits({ redis: ownClients[0]!, prefix, submitPerMember: 3, perIp: 3 });
    limitsB = new RateLimits({ redis: ownClients[1]!, prefix, submitPerMember: 3, perIp: 3 });
  });
  afterAll(async () => {
    own?.signal('SIGCONT');
    // While their server still runs, so that no reconnect is left pending.
    for (const redis of clients) redis.disconnect(); // the main connections under ownClients too
    await own?.destroy();
  });

  test('killed: each process answers from its own count at once, and still limits', async () => {
    expect((await limitsA.submission(1))!.counter).toBe('redis');
    await own.kill();
    for (let i = 0; i < 3; i += 1) {
      const { value, ms } = await timed(limitsA.submission(2));
      expect(value).toMatchObject({ limited: false, counter: 'process', remaining: 2 - i });
      expect(ms).toBeLessThan(1000);
    }
    const { value: fourth, ms } = await timed(limitsA.submission(2));
    expect(fourth).toMatchObject({ limited: true, counter: 'process', policy: '"member";q=3;w=60' });
    expect(fourth.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(ms).toBeLessThan(1000);
    // Per process: the other API process has a count of its own.
    expect((await limitsB.submission(2))!).toMatchObject({ limited: false, counter: 'process', remaining: 2 });
    // The address limit too.
    const flood = await Promise.all(Array.from({ length: 10 }, () => timed(limitsA.request('192.0.2.50'))));
    expect(flood.filter(({ value }) => value.limited)).toHaveLength(7);
    expect(Math.max(...flood.map(({ ms: each }) => each))).toBeLessThan(1000);
  });

  test('back: counting returns to Redis by itself', async () => {
    await own.start();
    const deadline = Date.now() + 10_000;
    let decision = (await limitsA.submission(3))!;
    while (decision.counter !== 'redis' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      decision = (await limitsA.submission(3))!;
    }
    expect(decision.counter).toBe('redis');
  });

  test('frozen (SIGSTOP): the answer comes from the process count well within a second, not after the client timeout', async () => {
    expect((await limitsA.submission(4))!.counter).toBe('redis');
    own.signal('SIGSTOP');
    try {
      for (let i = 0; i < 4; i += 1) {
        const { value, ms } = await timed(limitsA.submission(5));
        expect(value).toMatchObject({ counter: 'process', limited: i === 3 });
        expect(ms).toBeLessThan(500);
      }
    } finally {
      own.signal('SIGCONT');
    }
  });
});
