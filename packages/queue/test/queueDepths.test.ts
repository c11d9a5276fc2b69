import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ticketRef, type TicketRef } from '@ticketing/core';
import { activeEntry, activeTicketsKey, createRedis, queueDepths, redisReady, ticketKeys, type RedisClient } from '@ticketing/queue';
import { PrivateRedis, uniqueRedisPrefix } from '@ticketing/testkit';
import type { Redis } from 'ioredis';

const GEN = 'cd'.repeat(20);
const prefix = uniqueRedisPrefix();
let server: PrivateRedis;
let redis: RedisClient;

// A Redis of the test's own: MONITOR on the shared one sees every other client's commands, and a
// crowded one (a bench next to CI) broke the monitor connection before the test could close it.
beforeAll(async () => {
  server = await PrivateRedis.start('none');
  redis = createRedis({ redisUrl: server.url }, 'queue-depths-test');
  await redisReady(redis, 5000);
});

afterAll(async () => {
  redis?.disconnect();
  await server?.destroy();
});

/** Puts `waiting` placeholder entries in the ticket's wait list and marks the ticket active. */
async function activeTicket(ref: TicketRef, waiting: number): Promise<void> {
  await redis.sadd(activeTicketsKey(prefix), activeEntry(ref));
  if (waiting > 0) await redis.rpush(ticketKeys(prefix, ref).wait, ...Array.from({ length: waiting }, (_, n) => `job-${n}`));
}

describe('queueDepths (the /metrics queue-depth gauge)', () => {
  test('reads every active ticket’s waiting count, empty queues included, up to the limit', async () => {
    const refs = Array.from({ length: 30 }, (_, n) => ticketRef(1000 + n, GEN));
    for (const [n, ref] of refs.entries()) await activeTicket(ref, n % 7);

    const depths = await queueDepths(redis, prefix);
    expect(new Map(depths.map(({ ticketId, waiting }) => [ticketId, waiting]))).toEqual(
      new Map(refs.map((ref, n) => [ref.ticketId, n % 7])),
    );
    expect(await queueDepths(redis, prefix, 10)).toHaveLength(10);
  });

  test('no active ticket: no depth and no script call', async () => {
    expect(await queueDepths(redis, `${prefix}:none`)).toEqual([]);
  });

  test('a scrape costs two commands however many tickets are active (not one per ticket)', async () => {
    const many = `${prefix}:many`;
    for (let n = 0; n < 150; n++) {
      const ref = ticketRef(5000 + n, GEN);
      await redis.sadd(activeTicketsKey(many), activeEntry(ref));
      await redis.rpush(ticketKeys(many, ref).wait, 'job');
    }
    const seen: string[][] = [];
    const monitor = (await (redis as Redis).monitor()) as Redis;
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua' && args.some((arg) => typeof arg === 'string' && arg.startsWith(`${many}:`))) seen.push(args);
    });
    try {
      const depths = await queueDepths(redis, many);
      await new Promise((resolve) => setTimeout(resolve, 200)); // MONITOR reports a moment later
      expect(depths).toHaveLength(150);
      expect(depths.every(({ waiting }) => waiting === 1)).toBe(true);
      expect(seen.map((args) => args[0]!.toLowerCase())).toEqual(['smembers', expect.stringMatching(/^eval(sha)?$/)]);
    } finally {
      monitor.disconnect();
    }
  });
});
