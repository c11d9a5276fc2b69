import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createRedis, redisReady, RedisSubmissionQueue, type RedisClient } from '@ticketing/queue';
import { removeRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '@ticketing/testkit';

/** A long poll's wait ends early, as "not decided yet", once whoever waits has gone. */
const prefix = uniqueRedisPrefix();
let redis: RedisClient;
let queue: RedisSubmissionQueue;

beforeAll(async () => {
  redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'decision-feed-test');
  await redisReady(redis, 2000);
  queue = new RedisSubmissionQueue(redis, { prefix });
  await queue.startDecisionFeed();
});
afterAll(async () => {
  await queue.close();
  await removeRedisPrefix(prefix);
  redis.disconnect();
});

describe('a decision watch with an abort signal', () => {
  test('ends false as soon as the signal aborts, long before its timeout', async () => {
    const watch = queue.watchDecision('1-1-00000000-0000000000000000');
    const gone = new AbortController();
    const startedAt = Date.now();
    setTimeout(() => gone.abort(), 50);
    expect(await watch.until(10_000, gone.signal)).toBe(false);
    expect(Date.now() - startedAt).toBeLessThan(2000);
    watch.close();
  });

  test('ends false at once when the signal has already aborted', async () => {
    const watch = queue.watchDecision('1-1-00000000-0000000000000000');
    const startedAt = Date.now();
    expect(await watch.until(10_000, AbortSignal.abort())).toBe(false);
    expect(Date.now() - startedAt).toBeLessThan(500);
    watch.close();
  });

  test('still waits out its timeout while the signal stays quiet', async () => {
    const watch = queue.watchDecision('1-1-00000000-0000000000000000');
    const startedAt = Date.now();
    expect(await watch.until(150, new AbortController().signal)).toBe(false);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
    watch.close();
  });
});
