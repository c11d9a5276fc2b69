import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { Redis } from 'ioredis';
import { createPipelinedClient, createRedis, redisReady, type RedisClient } from '@ticketing/queue';
import { removeRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '@ticketing/testkit';

/** The API's per-member limit counts go over this client: the commands of one turn share a round trip. */
const prefix = uniqueRedisPrefix();
let plain: RedisClient;
let pipelined: RedisClient;

beforeAll(async () => {
  plain = createRedis({ redisUrl: TEST_REDIS_URL }, 'pipelined-client-test');
  pipelined = createPipelinedClient(plain, 'pipelined-client-test-batched');
  await Promise.all([redisReady(plain, 2000), redisReady(pipelined, 2000)]);
});
afterAll(async () => {
  await removeRedisPrefix(prefix);
  plain.disconnect();
  pipelined.disconnect();
});

/** How many times the client wrote to its socket while `work` ran. */
async function socketWrites(client: RedisClient, work: () => Promise<unknown>): Promise<number> {
  const stream = (client as Redis).stream;
  const write = stream.write;
  let writes = 0;
  stream.write = function counted(this: typeof stream, ...args: Parameters<typeof write>) {
    writes += 1;
    return write.apply(this, args);
  } as typeof write;
  try {
    await work();
  } finally {
    stream.write = write;
  }
  return writes;
}

const incrementAll = (client: RedisClient, n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => client.incr(`${prefix}:count:${i % 10}`)));

test('commands of one event-loop turn leave in one write; the same commands on the plain client in one write each', async () => {
  expect(await socketWrites(pipelined, () => incrementAll(pipelined, 100))).toBe(1);
  expect(await socketWrites(plain, () => incrementAll(plain, 100))).toBe(100);
});

test('each command still gets its own reply, in order', async () => {
  const replies = await incrementAll(pipelined, 50);
  // Ten counters, each incremented 20 times by the test before and 5 times now: 21..25 in the order sent.
  expect(replies.slice(0, 10)).toEqual(Array(10).fill(21));
  expect(replies.slice(40)).toEqual(Array(10).fill(25));
});

test('keeps the settings of the client it copies: a fail-fast client refuses at once while not connected', async () => {
  const copy = createPipelinedClient(plain, 'pipelined-client-test-copy');
  copy.disconnect();
  await expect(copy.incr(`${prefix}:never`)).rejects.toThrow();
  const options = (copy as Redis).options;
  expect(options.enableOfflineQueue).toBe(false);
  expect(options.commandTimeout).toBe(1000);
  expect(options.connectionName).toBe('pipelined-client-test-copy');
});
