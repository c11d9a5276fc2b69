import { ticketRef } from '@ticketing/core';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { bullQueueFor, createRedis, queueName, redisReady, RedisWorkerPresence, type RedisClient } from '@ticketing/queue';
import { removeRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix, waitUntil } from '@ticketing/testkit';
import type { Queue } from 'bullmq';

/** Bull Board asks BullMQ's Queue.getWorkers(): these tests ask it too, against the real Redis. */
const GEN = 'cd'.repeat(20);
const prefix = uniqueRedisPrefix('presence');
let redis: RedisClient;
const queues: Queue[] = [];

function queueOf(ticketId: number): Queue {
  const queue = bullQueueFor(redis, prefix, ticketRef(ticketId, GEN));
  queues.push(queue);
  return queue;
}

async function workersOf(queue: Queue): Promise<Array<{ name: string }>> {
  return (await queue.getWorkers()) as Array<{ name: string }>;
}

beforeAll(async () => {
  redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'test');
  await redisReady(redis, 2000);
});
afterAll(async () => {
  await Promise.all(queues.map((queue) => queue.close()));
  await removeRedisPrefix(prefix);
  redis.disconnect();
});

describe('worker presence on Bull Board', () => {
  test('a shown ticket lists one worker on its queue only, and none once hidden', async () => {
    const presence = new RedisWorkerPresence(redis, { prefix, workerName: 'host a-1' });
    const shown = queueOf(1);
    const other = queueOf(2);
    expect(await workersOf(shown)).toHaveLength(0);

    presence.show(ticketRef(1, GEN));
    presence.show(ticketRef(1, GEN)); // shown twice: still one connection
    await waitUntil(async () => (await workersOf(shown)).length > 0, 'the worker listed', 2000);
    expect(await workersOf(shown)).toHaveLength(1);
    expect(presence.shown).toBe(1);
    expect(await workersOf(other)).toHaveLength(0);

    await presence.hide(ticketRef(1, GEN));
    expect(await workersOf(shown)).toHaveLength(0);
    expect(presence.shown).toBe(0);
  });

  test("the worker's name is what the board shows after BullMQ's `:w:` separator, made safe for CLIENT SETNAME", async () => {
    const presence = new RedisWorkerPresence(redis, { prefix, workerName: 'host a-1' });
    const ticket = ticketRef(3, GEN);
    expect(presence.clientName(ticket)).toBe(`${prefix}:${Buffer.from(queueName(ticket)).toString('base64')}:w:host_a-1`);
    presence.show(ticket);
    const queue = queueOf(3);
    await waitUntil(async () => (await workersOf(queue)).length > 0, 'the worker listed', 2000);
    const list = (await redis.call('CLIENT', 'LIST')) as string;
    expect(list).toContain(`name=${presence.clientName(ticket)} `);
    await presence.close();
    expect(await workersOf(queue)).toHaveLength(0);
  });

  test('two workers holding a ticket in turn (a takeover) are two entries while both are connected', async () => {
    const first = new RedisWorkerPresence(redis, { prefix, workerName: 'w1' });
    const second = new RedisWorkerPresence(redis, { prefix, workerName: 'w2' });
    const ticket = ticketRef(4, GEN);
    const queue = queueOf(4);
    first.show(ticket);
    second.show(ticket);
    await waitUntil(async () => (await workersOf(queue)).length === 2, 'both listed', 2000);
    await first.hide(ticket);
    expect(await workersOf(queue)).toHaveLength(1);
    await second.close();
    expect(await workersOf(queue)).toHaveLength(0);
  });
});
