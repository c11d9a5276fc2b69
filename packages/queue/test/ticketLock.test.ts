import { ticketRef } from '@ticketing/core';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createRedis, redisReady, RedisTicketLock, ticketKeys, type RedisClient } from '@ticketing/queue';
import { removeRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '@ticketing/testkit';

/** Every ticket of these tests is one row with this generation. */
const GEN = 'ab'.repeat(20);
const t = (ticketId: number) => ticketRef(ticketId, GEN);

const prefix = uniqueRedisPrefix();
let redis: RedisClient;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'test');
  await redisReady(redis, 2000);
});
afterAll(async () => {
  await removeRedisPrefix(prefix);
  redis.disconnect();
});

describe('ticket lock', () => {
  test('is exclusive: of many concurrent acquirers exactly one gets a token', async () => {
    const locks = Array.from({ length: 20 }, () => new RedisTicketLock(redis, { prefix, ttlMs: 5000 }));
    const tokens = await Promise.all(locks.map((lock) => lock.acquire(t(1))));
    expect(tokens.filter((t) => t !== null)).toHaveLength(1);
  });

  test('different tickets lock independently', async () => {
    const lock = new RedisTicketLock(redis, { prefix, ttlMs: 5000 });
    expect(await lock.acquire(t(2))).not.toBeNull();
    expect(await lock.acquire(t(3))).not.toBeNull();
  });

  test('expires after its lifetime, and the next holder gets a larger token', async () => {
    const lock = new RedisTicketLock(redis, { prefix, ttlMs: 150 });
    const first = await lock.acquire(t(4));
    expect(first).not.toBeNull();
    expect(await lock.acquire(t(4))).toBeNull();
    await sleep(250);
    const second = await lock.acquire(t(4));
    expect(second).toBeGreaterThan(first!);
    // The first holder can neither renew nor release what it lost.
    expect(await lock.renew(t(4), first!)).toBe(false);
    await lock.release(t(4), first!);
    expect(await lock.acquire(t(4))).toBeNull();
  });

  test('renewal keeps it held past its lifetime', async () => {
    // Renewed every quarter lifetime, five times: held for 1.25 lifetimes. The lifetime is long
    // enough that a busy CI machine's stalls (hundreds of ms) do not let it lapse between renewals.
    const lock = new RedisTicketLock(redis, { prefix, ttlMs: 2000 });
    const token = (await lock.acquire(t(5)))!;
    for (let i = 0; i < 5; i++) {
      await sleep(500);
      expect(await lock.renew(t(5), token)).toBe(true);
    }
    expect(await lock.acquire(t(5))).toBeNull();
    await lock.release(t(5), token);
    expect(await lock.acquire(t(5))).not.toBeNull();
  });

  test('tokens keep growing even when Redis forgets the counter', async () => {
    const lock = new RedisTicketLock(redis, { prefix, ttlMs: 5000 });
    const before = (await lock.acquire(t(6)))!;
    await lock.release(t(6), before);
    await redis.del(ticketKeys(prefix, t(6)).fence);
    const after = (await lock.acquire(t(6)))!;
    expect(after).toBeGreaterThan(before);
  });

  test('raiseFence moves the held token past the database floor, and only for the holder', async () => {
    const lock = new RedisTicketLock(redis, { prefix, ttlMs: 5000 });
    const token = (await lock.acquire(t(7)))!;
    const floor = token + 1_000_000;
    expect(await lock.raiseFence(t(7), token - 1, floor)).toBeNull();
    const raised = (await lock.raiseFence(t(7), token, floor))!;
    expect(raised).toBe(floor + 1);
    expect(await lock.renew(t(7), token)).toBe(false);
    expect(await lock.renew(t(7), raised)).toBe(true);
  });
});
