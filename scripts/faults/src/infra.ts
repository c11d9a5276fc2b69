import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  LocalRedisCluster,
  PrivateMariadb,
  PrivateRedis,
  removeRedisPrefix,
  TEST_DATABASE_SERVER_URL,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
  type RedisPersistence,
  type TestDatabase,
} from '@ticketing/testkit';

/** Where one scenario's processes keep their data. */
export interface FaultInfra {
  /** A fresh, migrated database of its own. */
  database: TestDatabase;
  redisUrl: string;
  prefix: string;
  /** Set when the scenario may stop, kill or empty Redis. */
  redis: PrivateRedis | null;
  /** Set when the processes run on a Redis Cluster of their own (REDIS_CLUSTER_NODES), whose masters the scenario may kill. */
  redisCluster: LocalRedisCluster | null;
  /** Set when the scenario may take the database away. */
  mariadb: PrivateMariadb | null;
}

export interface InfraOptions {
  /**
   * 'shared': the machine's Redis under a fresh prefix; 'cluster': a local Redis Cluster of its
   * own (3 masters, 3 replicas); otherwise a private Redis with that persistence.
   */
  redis: 'shared' | 'cluster' | RedisPersistence;
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
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    let mariadb: PrivateMariadb | null = null;
    let serverUrl = options.sharedDatabaseServerUrl ?? TEST_DATABASE_SERVER_URL;
    if (options.mariadb === 'private') {
      mariadb = await PrivateMariadb.start();
      const started = mariadb;
      cleanups.push(() => started.destroy());
    } else if (options.mariadb !== 'shared') {
      mariadb = options.mariadb;
    }
    if (mariadb) serverUrl = `mysql://root@127.0.0.1:${mariadb.port}`;
    const database = await createTestDatabase({ serverUrl, tag: 'ticketing_fault' });
    cleanups.push(() => database.drop());

    const prefix = uniqueRedisPrefix('fault');
    let redis: PrivateRedis | null = null;
    let redisCluster: LocalRedisCluster | null = null;
    let redisUrl = options.sharedRedisUrl ?? TEST_REDIS_URL;
    if (options.redis === 'shared') {
      const url = redisUrl;
      cleanups.push(() => removeRedisPrefix(prefix, url));
    } else if (options.redis === 'cluster') {
      // A failover takes a node's cluster-node-timeout (1 s here) and then an election.
      redisCluster = await LocalRedisCluster.start({ dir: await mkdtemp(join(tmpdir(), 'faults-redis-cluster-')), nodeTimeoutMs: 1000 });
      const started = redisCluster;
      cleanups.push(() => started.destroy());
    } else {
      redis = await PrivateRedis.start(options.redis);
      const started = redis;
      cleanups.push(() => started.destroy());
      redisUrl = redis.url;
    }
    return { infra: { database, redisUrl, prefix, redis, redisCluster, mariadb }, close };
  } catch (error) {
    await close();
    throw error;
  }
}
