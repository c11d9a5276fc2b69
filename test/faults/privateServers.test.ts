import { afterAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { createConnection } from 'mariadb';
import { PrivateMariadb, PrivateRedis } from '@ticketing/testkit';

/** The fault scenarios rely on these restart semantics; a harness that lied would make them pass for nothing. */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
}, 60_000);

async function roundTrip(url: string, write?: string): Promise<string | null> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    if (write) await redis.set('probe', write);
    return await redis.get('probe');
  } finally {
    redis.disconnect();
  }
}

describe('private Redis', () => {
  test('with AOF, a SIGKILLed server comes back on the same port with every acknowledged write', async () => {
    const redis = await PrivateRedis.start('aof');
    cleanups.push(() => redis.destroy());
    expect(await roundTrip(redis.url, 'kept')).toBe('kept');
    await redis.restart('kill');
    expect(await roundTrip(redis.url)).toBe('kept');
  });

  test('without persistence, it comes back empty', async () => {
    const redis = await PrivateRedis.start('none');
    cleanups.push(() => redis.destroy());
    await roundTrip(redis.url, 'gone');
    await redis.restart('stop');
    expect(redis.running).toBe(true);
    expect(await roundTrip(redis.url)).toBeNull();
  });
});

describe('private MariaDB', () => {
  test('stops (refusing connections) and starts again on the same port with its data', async () => {
    const server = await PrivateMariadb.start();
    cleanups.push(() => server.destroy());
    const connect = () => createConnection({ host: '127.0.0.1', port: server.port, user: 'root', connectTimeout: 1000 });
    const conn = await connect();
    await conn.query('CREATE DATABASE probe');
    await conn.query('CREATE TABLE probe.t (n INT)');
    await conn.query('INSERT INTO probe.t VALUES (42)');
    await conn.end();

    await server.stop();
    await expect(connect()).rejects.toThrow();
    await server.start();
    const again = await connect();
    expect(await again.query('SELECT n FROM probe.t')).toEqual([{ n: 42 }]);
    await again.end();
  }, 60_000);
});
