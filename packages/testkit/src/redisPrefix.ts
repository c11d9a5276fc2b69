import { randomBytes } from 'node:crypto';
import { Redis, type Cluster } from 'ioredis';

/** The machine's shared Redis, which tests use under prefixes of their own. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A QUEUE_PREFIX no other suite or run uses, so suites share one Redis without meeting. */
export function uniqueRedisPrefix(tag = 'test'): string {
  return `${tag}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under the prefix (BullMQ's, the tickets' and the shared ones). */
export async function removeRedisPrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await removeKeys(redis, `${prefix}:*`);
  } finally {
    redis.disconnect();
  }
}

/** Deletes the keys matching `pattern` (SCAN, then UNLINK), through a client already open; how many. */
export async function removeKeys(redis: Redis | Cluster, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await (redis as Redis).scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
