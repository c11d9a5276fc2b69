import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** A QUEUE_PREFIX no other suite or run uses, so suites share one Redis without meeting. */
export function uniqueRedisPrefix(tag = 'test'): string {
  return `${tag}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under the prefix (BullMQ's, the tickets' and the shared ones). */
export async function removeRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
