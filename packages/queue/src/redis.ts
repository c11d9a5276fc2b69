import { withinDeadline } from '@ticketing/core';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface RedisSettings {
  redisUrl: string;
  /** Set: Redis Cluster through these seed nodes; REDIS_URL is then ignored. */
  clusterNodes?: ClusterNode[] | undefined;
  /**
   * AUTH for every cluster node, and for REDIS_URL when the URL carries no user or password of
   * its own (a password in the URL wins, user and password together).
   */
  username?: string | undefined;
  password?: string | undefined;
  /**
   * Set: TLS to every cluster node, and to REDIS_URL even when it says redis://; `{}` trusts the
   * system's CAs (and NODE_EXTRA_CA_CERTS). A rediss:// URL uses TLS anyway, with these options when set.
   */
  tls?: ConnectionOptions | undefined;
}

/** The AUTH and TLS options of these settings, leaving out what is unset (ioredis keeps defaults only for absent keys). */
function secrets(settings: RedisSettings, urlHasAuth: boolean): RedisOptions {
  const options: RedisOptions = {};
  if (!urlHasAuth && settings.password !== undefined) {
    options.password = settings.password;
    if (settings.username !== undefined) options.username = settings.username;
  }
  if (settings.tls) options.tls = settings.tls;
  return options;
}

function urlHasAuth(redisUrl: string): boolean {
  try {
    const url = new URL(redisUrl);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

/**
 * Fail fast instead of buffering: while Redis is away a command is refused at once (no offline
 * queue) or after 1 s (commandTimeout), so the API answers 503 quickly and a worker backs off
 * and retries its batch; the client keeps reconnecting in the background by itself.
 */
const failFast: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 1000,
  connectTimeout: 2000,
  retryStrategy: (attempt: number) => Math.min(50 * attempt, 1000),
};

/** The Redis settings of the configuration (packages/config), as createRedis takes them. */
export function redisSettingsOf(config: {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: ClusterNode[] | undefined;
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
  REDIS_TLS?: boolean | undefined;
}): RedisSettings {
  return {
    redisUrl: config.REDIS_URL,
    clusterNodes: config.REDIS_CLUSTER_NODES,
    username: config.REDIS_USERNAME,
    password: config.REDIS_PASSWORD,
    tls: config.REDIS_TLS ? {} : undefined,
  };
}

export function createRedis(settings: RedisSettings, connectionName: string): RedisClient {
  if (settings.clusterNodes?.length) {
    const cluster = new Cluster(settings.clusterNodes, {
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt: number) => Math.min(100 * attempt, 1000),
      // While a master is dead and until its replica is elected, ioredis would retry a command
      // for that master's slots every 100 ms for up to 1.6 s; refuse it at once instead (the API
      // answers 503 with Retry-After, a worker backs off), and re-read the slot map every second
      // so that the promoted replica is found even when no MOVED answer points to it.
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
      slotsRefreshInterval: 1000,
      redisOptions: { ...failFast, ...secrets(settings, false), connectionName },
    });
    // Masters are connected lazily, and while one is connecting the fail-fast client refuses its
    // commands: connect them all as soon as the slot map is known (again after a failover).
    cluster.on('ready', () => {
      for (const node of cluster.nodes('master')) node.ping().catch(() => undefined);
    });
    cluster.on('+node', (node: Redis) => void node.ping().catch(() => undefined));
    return cluster;
  }
  return new Redis(settings.redisUrl, { ...failFast, ...secrets(settings, urlHasAuth(settings.redisUrl)), connectionName });
}

/**
 * A new connection with `redis`'s settings and these changes: `client` options apply to the
 * client (a cluster's own options, or the connection's), `connection` options to each connection
 * (to every node of a cluster).
 */
function duplicateWith(
  redis: RedisClient,
  client: { enableAutoPipelining?: boolean; enableOfflineQueue?: boolean },
  connection: RedisOptions,
): RedisClient {
  if (redis instanceof Cluster) {
    return redis.duplicate(undefined, { ...client, redisOptions: { ...redis.options.redisOptions, ...connection } });
  }
  return redis.duplicate({ ...client, ...connection });
}

/**
 * Another command connection with the same settings, whose commands of one event-loop turn leave
 * as one pipeline (ioredis autopipelining; on a cluster, one per node): many small independent
 * commands cost one socket write and one reply read per turn instead of one each. While a
 * pipeline is out, the next turns' commands wait and leave together when it returns.
 */
export function createPipelinedClient(redis: RedisClient, connectionName: string): RedisClient {
  return duplicateWith(redis, { enableAutoPipelining: true }, { connectionName });
}

/**
 * A connection for pub/sub, which needs its own. Unlike command connections it may queue while
 * reconnecting: ioredis re-subscribes by itself when Redis comes back.
 */
export function createSubscriber(redis: RedisClient): RedisClient {
  return duplicateWith(
    redis,
    { enableOfflineQueue: true },
    { enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined },
  );
}

/** Whether Redis answers PONG within `timeoutMs`; never throws. */
export function pingRedis(redis: RedisClient, timeoutMs: number): Promise<boolean> {
  const answered = redis.ping().then(
    (reply) => reply === 'PONG',
    () => false,
  );
  return withinDeadline(answered, timeoutMs, () => false);
}

/**
 * Resolves once the client is connected, or rejects after timeoutMs. A cluster client is ready
 * once it knows the slots, but connects to each master lazily, and being fail-fast it would refuse
 * the first commands for a master it is still connecting to: so every master is pinged first.
 */
export async function redisReady(redis: RedisClient, timeoutMs: number): Promise<void> {
  await connected(redis, timeoutMs);
  if (redis instanceof Cluster) await Promise.all(redis.nodes('master').map((node) => pingRedis(node, timeoutMs)));
}

async function connected(redis: RedisClient, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    function onReady(): void {
      clearTimeout(timer);
      resolve();
    }
    redis.once('ready', onReady);
  });
}
