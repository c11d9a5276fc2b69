import { randomBytes } from 'node:crypto';
import { runMigrations } from '@ticketing/db';
import { removeRedisPrefix } from '@ticketing/testkit';
import { Database } from './database.js';
import { PrivateMariadb } from './privateMariadb.js';
import { PrivateRedis, type RedisPersistence } from './privateRedis.js';

/** Where one scenario's processes keep their data. */
export interface FaultInfra {
  /** A fresh, migrated database of its own. */
  database: Database;
  redisUrl: string;
  prefix: string;
  /** Set when the scenario may stop, kill or empty Redis. */
  redis: PrivateRedis | null;
  /** Set when the scenario may take the database away. */
  mariadb: PrivateMariadb | null;
}

export interface InfraOptions {
  /** 'shared': the machine's Redis under a fresh prefix; otherwise a private one with that persistence. */
  redis: 'shared' | RedisPersistence;
  /** 'shared': a fresh database on the machine's server; 'private': a server of our own; or one already started. */
  mariadb: 'shared' | 'private' | PrivateMariadb;
  sharedRedisUrl?: string;
  sharedDatabaseServerUrl?: string;
}

export interface PreparedInfra {
  infra: FaultInfra;
  /** Drops the database, removes the prefix's keys, stops what was started here. */
  close(): Promise<void>;
}

export async function prepareInfra(options: InfraOptions): Promise<PreparedInfra> {
  const tag = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    let mariadb: PrivateMariadb | null = null;
    let serverUrl = options.sharedDatabaseServerUrl ?? process.env.TEST_DATABASE_SERVER_URL ?? 'mysql://root@127.0.0.1:3306';
    if (options.mariadb === 'private') {
      mariadb = await PrivateMariadb.start();
      const started = mariadb;
      cleanups.push(() => started.destroy());
    } else if (options.mariadb !== 'shared') {
      mariadb = options.mariadb;
    }
    if (mariadb) serverUrl = `mysql://root@127.0.0.1:${mariadb.port}`;
    const databaseUrl = `${serverUrl.replace(/\/$/, '')}/ticketing_fault_${tag}`;
    await runMigrations({ databaseUrl });
    const database = new Database(databaseUrl);
    cleanups.push(() => database.drop());

    const prefix = `fault-${tag}`;
    let redis: PrivateRedis | null = null;
    let redisUrl = options.sharedRedisUrl ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    if (options.redis === 'shared') {
      const url = redisUrl;
      cleanups.push(() => removeRedisPrefix(url, prefix));
    } else {
      redis = await PrivateRedis.start(options.redis);
      const started = redis;
      cleanups.push(() => started.destroy());
      redisUrl = redis.url;
    }
    return { infra: { database, redisUrl, prefix, redis, mariadb }, close };
  } catch (error) {
    await close();
    throw error;
  }
}
