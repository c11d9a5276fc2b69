import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPipelinedClient, createRedis, redisReady, RedisWatchSlots, type RedisClient } from '@ticketing/queue';
import type { Cluster } from 'ioredis';
import { RateLimits } from '../../src/adapter/in/web/limits/rateLimits.js';
import { LocalRedisCluster, uniqueRedisPrefix } from '@ticketing/testkit';

/**
 * The same limits on a Redis Cluster (3 masters, started here, removed after): each counter (and
 * each member's watch slots) is one key, so its script runs on whichever master owns it, and
 * members spread over the masters.
 */
const prefix = uniqueRedisPrefix();
let cluster: LocalRedisCluster;
const clients: RedisClient[] = [];
/** What each API process counts its limits with: a pipelined copy of its cluster client. */
const limitClients: RedisClient[] = [];

beforeAll(async () => {
  cluster = await LocalRedisCluster.start({ dir: await mkdtemp(join(tmpdir(), 'ratelimit-cluster-')), masters: 3, replicasPerMaster: 0 });
  const clusterNodes = cluster.nodes.map(({ port }) => ({ host: '127.0.0.1', port }));
  for (const name of ['api-1', 'api-2']) {
    const redis = createRedis({ redisUrl: 'redis://unused', clusterNodes }, name);
    await redisReady(redis, 10_000);
    clients.push(redis);
    const limits = createPipelinedClient(redis, `${name}-limits`);
    await redisReady(limits, 10_000);
    limitClients.push(limits);
  }
});

afterAll(async () => {
  for (const redis of [...limitClients, ...clients]) redis.disconnect();
  await cluster?.destroy();
});

test('two API processes on a cluster share each member count; the counters spread over the masters', async () => {
  const [a, b] = limitClients.map((redis) => new RateLimits({ redis, prefix, submitPerMember: 2, perIp: 0 })) as [RateLimits, RateLimits];
  const members = Array.from({ length: 30 }, (_, i) => i + 1);
  for (const memberId of members) {
    expect((await a.submission(memberId))!).toMatchObject({ limited: false, counter: 'redis' });
    expect((await b.submission(memberId))!).toMatchObject({ limited: false, counter: 'redis' });
    expect((await a.submission(memberId))!).toMatchObject({ limited: true, counter: 'redis' });
  }
  // All members again in one turn: one pipeline per master, each count still its own member's.
  const together = await Promise.all(members.map((memberId) => b.submission(memberId)!));
  expect(together.every((decision) => decision.limited && decision.counter === 'redis')).toBe(true);
  const owners = new Set<string>();
  const redis = clients[0] as Cluster;
  for (const memberId of members) {
    const key = `${prefix}:ratelimit:member:${memberId}`;
    for (const node of redis.nodes('master')) {
      // Another master answers MOVED.
      if ((await node.exists(key).catch(() => 0)) === 1) owners.add(`${node.options.host}:${node.options.port}`);
    }
  }
  expect(owners.size).toBe(3);
});

test('two API processes on a cluster share the watch slots of each member (WATCH_PER_MEMBER)', async () => {
  const [a, b] = clients.map((redis) => new RedisWatchSlots(redis, { prefix })) as [RedisWatchSlots, RedisWatchSlots];
  for (const memberId of Array.from({ length: 20 }, (_, i) => i + 1)) {
    const first = await a.hold(memberId, 2, 10_000);
    expect((await b.hold(memberId, 2, 10_000)).held).toBe(true);
    expect((await a.hold(memberId, 2, 10_000)).held).toBe(false);
    if (first.held) first.release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await b.hold(memberId, 2, 10_000)).held).toBe(true);
  }
});
