import calculateSlot from 'cluster-key-slot';
import { Cluster, type Redis } from 'ioredis';
import { activeTicketsKey, parseActiveEntry, ticketKeys } from './keys.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

export interface QueueDepth {
  ticketId: number;
  waiting: number;
}

/**
 * Waiting requests per active ticket (the first `limit` of them), for the queue-depth gauge. A
 * scrape costs a bounded number of Redis commands whatever the number of tickets: the active set,
 * then one script reading every wait list; in a cluster, where one script cannot span slots, one
 * pipeline per master instead.
 */
export async function queueDepths(redis: RedisClient, prefix: string, limit = 200): Promise<QueueDepth[]> {
  const refs = (await redis.smembers(activeTicketsKey(prefix))).flatMap((entry) => parseActiveEntry(entry) ?? []).slice(0, limit);
  if (refs.length === 0) return [];
  const waitKeys = refs.map((ref) => ticketKeys(prefix, ref).wait);
  const lengths =
    redis instanceof Cluster ? await lengthsPerMaster(redis, waitKeys) : await runScript<number[]>(redis, 'listLengths', waitKeys, []);
  return refs.flatMap(({ ticketId }, i) => (lengths[i] === undefined ? [] : [{ ticketId, waiting: lengths[i] }]));
}

/** Each list's length read from the master that holds its slot, one pipeline per master; a list whose master did not answer is left out. */
async function lengthsPerMaster(cluster: Cluster, keys: string[]): Promise<Array<number | undefined>> {
  const byMaster = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const master = cluster.slots[calculateSlot(key)]?.[0];
    if (master !== undefined) byMaster.set(master, [...(byMaster.get(master) ?? []), i]);
  });
  const masters = new Map(cluster.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]));
  const lengths: Array<number | undefined> = new Array(keys.length);
  await Promise.all(
    [...byMaster].map(async ([master, indexes]) => {
      const node: Redis | undefined = masters.get(master);
      if (!node) return;
      const pipeline = node.pipeline();
      for (const i of indexes) pipeline.llen(keys[i]!);
      const replies = (await pipeline.exec().catch(() => null)) ?? [];
      replies.forEach(([error, length], n) => {
        if (!error) lengths[indexes[n]!] = Number(length);
      });
    }),
  );
  return lengths;
}
