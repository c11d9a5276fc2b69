import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createRedis, redisReady, RedisWatchSlots, type RedisClient, type WatchSlot } from '@ticketing/queue';
import { removeRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '@ticketing/testkit';

const prefix = uniqueRedisPrefix();
let redis: RedisClient;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const held = (slots: WatchSlot[]) => slots.filter((slot) => slot.held);

beforeAll(async () => {
  redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'test');
  await redisReady(redis, 2000);
});
afterAll(async () => {
  await removeRedisPrefix(prefix);
  redis.disconnect();
});

describe('watch slots (WATCH_PER_MEMBER)', () => {
  test('of many concurrent askers from several processes, exactly the limit hold a slot; the rest learn when the soonest lease ends', async () => {
    const processes = Array.from({ length: 4 }, () => new RedisWatchSlots(redis, { prefix }));
    const asked = await Promise.all(Array.from({ length: 20 }, (_, n) => processes[n % 4]!.hold(1, 3, 10_000)));
    expect(held(asked)).toHaveLength(3);
    for (const refused of asked.filter((slot) => !slot.held)) {
      expect(refused.retryAfterMs).toBeGreaterThan(9_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(10_000);
    }
    // Another member has its own slots.
    expect((await processes[0]!.hold(2, 3, 10_000)).held).toBe(true);
  });

  test('a released slot is free again at once, for any process', async () => {
    const one = new RedisWatchSlots(redis, { prefix });
    const two = new RedisWatchSlots(redis, { prefix });
    const first = await one.hold(3, 1, 10_000);
    expect(first.held).toBe(true);
    expect((await two.hold(3, 1, 10_000)).held).toBe(false);
    if (first.held) first.release();
    await sleep(20); // release does not wait for Redis
    expect((await two.hold(3, 1, 10_000)).held).toBe(true);
  });

  test('a slot never released (its process died) frees itself when its lease ends, and the set then expires', async () => {
    const dead = new RedisWatchSlots(redis, { prefix });
    const alive = new RedisWatchSlots(redis, { prefix });
    expect(held(await Promise.all([dead.hold(4, 2, 300), dead.hold(4, 2, 300)]))).toHaveLength(2);
    expect((await alive.hold(4, 2, 300)).held).toBe(false);
    await sleep(400);
    expect((await alive.hold(4, 2, 200)).held).toBe(true);
    await sleep(300);
    expect(await redis.exists(`${prefix}:watch:{m4}`)).toBe(0);
  });

  test('the set lives as long as its longest lease, not longer and not shorter', async () => {
    const slots = new RedisWatchSlots(redis, { prefix });
    await slots.hold(5, 3, 10_000);
    await slots.hold(5, 3, 1_000);
    const ttl = await redis.pttl(`${prefix}:watch:{m5}`);
    expect(ttl).toBeGreaterThan(9_000);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });
});
