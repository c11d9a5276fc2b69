import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './freePort.js';
import { waitUntil } from './waitUntil.js';

const run = promisify(execFile);
const HOST = '127.0.0.1';

export interface LocalClusterOptions {
  /** Where the nodes keep their AOF files, cluster configs, pid files and logs; destroy() removes it. */
  dir: string;
  /** First of consecutive client ports (cluster bus ports at +10000); unset: free ports of the OS's choosing. */
  basePort?: number;
  masters?: number;
  replicasPerMaster?: number;
  /** How long a master may be unreachable before its replica takes over (cluster-node-timeout). */
  nodeTimeoutMs?: number;
  /** Every node requires it (requirepass), and replicas use it to reach their masters (masterauth). */
  password?: string;
}

export interface ClusterNode {
  port: number;
  busPort: number;
  pid: number;
}

/** Which master serves a range of hash slots. */
export interface SlotRange {
  start: number;
  end: number;
  port: number;
}

const STATE_FILE = 'cluster.json';

/**
 * A Redis Cluster of daemonized `redis-server` processes on 127.0.0.1, the way production runs
 * one: AOF on (fsync every second), noeviction, one replica per master that takes over when its
 * master dies. `cluster-require-full-coverage no` keeps the other masters' tickets served while
 * one shard elects. Its state (ports and pids) is kept in `<dir>/cluster.json`, so another
 * process (`npm run cluster:down`) can find and stop it.
 */
export class LocalRedisCluster {
  private constructor(
    readonly dir: string,
    readonly nodes: ClusterNode[],
    readonly password?: string,
  ) {}

  static async start(options: LocalClusterOptions): Promise<LocalRedisCluster> {
    const masters = options.masters ?? 3;
    const count = masters * (1 + (options.replicasPerMaster ?? 1));
    const ports = await choosePorts(count, options.basePort);
    await mkdir(options.dir, { recursive: true });
    const nodes: ClusterNode[] = [];
    const cluster = new LocalRedisCluster(options.dir, nodes, options.password);
    const auth = options.password === undefined ? [] : ['-a', options.password, '--no-auth-warning'];
    try {
      for (const { port, busPort } of ports) {
        nodes.push({ port, busPort, pid: await startNode(options.dir, port, busPort, options.nodeTimeoutMs ?? 2000, options.password) });
        await cluster.#saveState();
      }
      await run('redis-cli', [
        ...auth,
        '--cluster',
        'create',
        ...ports.map(({ port }) => `${HOST}:${port}`),
        '--cluster-replicas',
        String(options.replicasPerMaster ?? 1),
        '--cluster-yes',
      ]);
      await cluster.#waitUntilFormed(masters, count - masters);
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  /** The cluster a `start` left in `dir`, or null when there is none. */
  static async attach(dir: string): Promise<LocalRedisCluster | null> {
    try {
      const state = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as { nodes: ClusterNode[]; password?: string };
      return new LocalRedisCluster(dir, state.nodes, state.password);
    } catch {
      return null;
    }
  }

  /** The value for REDIS_CLUSTER_NODES. */
  get seedNodes(): string {
    return this.nodes.map(({ port }) => `${HOST}:${port}`).join(',');
  }

  isRunning(port: number): boolean {
    const node = this.#node(port);
    try {
      process.kill(node.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Which master serves each slot range, as a live node sees it. */
  async slotRanges(): Promise<SlotRange[]> {
    return this.#onLiveNode(async (redis) => {
      const reply = (await redis.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, string]]>;
      return reply.map(([start, end, [, port]]) => ({ start, end, port: Number(port) })).sort((a, b) => a.start - b.start);
    });
  }

  /** The client port of the master that holds `key`'s slot. */
  async masterOf(key: string): Promise<number> {
    const slot = Number(await this.#onLiveNode((redis) => redis.call('CLUSTER', 'KEYSLOT', key)));
    const range = (await this.slotRanges()).find(({ start, end }) => start <= slot && slot <= end);
    if (!range) throw new Error(`no master serves slot ${slot}`);
    return range.port;
  }

  /** SIGKILL: a crashed node; nothing is flushed beyond what AOF's last fsync wrote. */
  async kill(port: number): Promise<void> {
    const node = this.#node(port);
    signal(node.pid, 'SIGKILL');
    await waitUntil(() => Promise.resolve(!this.isRunning(port)), `node ${port} to die`, 5000, 100);
  }

  /** Resolves once a node other than `formerPort` serves `key` and the cluster says ok. */
  async waitForFailover(key: string, formerPort: number, timeoutMs = 30_000): Promise<number> {
    let promoted = formerPort;
    await waitUntil(
      async () => {
        promoted = await this.masterOf(key).catch(() => formerPort);
        if (promoted === formerPort) return false;
        const info = String(await this.#onNode(promoted, (redis) => redis.call('CLUSTER', 'INFO')));
        return info.includes('cluster_state:ok');
      },
      `a replica to take over from ${formerPort}`,
      timeoutMs,
      100,
    );
    return promoted;
  }

  /** Stops every node (SIGKILL: nothing of it is kept) and removes the directory. */
  async destroy(): Promise<void> {
    for (const node of this.nodes) signal(node.pid, 'SIGKILL');
    await waitUntil(() => Promise.resolve(this.nodes.every(({ port }) => !this.isRunning(port))), 'the nodes to stop', 10_000, 100).catch(
      () => undefined,
    );
    await rm(this.dir, { recursive: true, force: true });
  }

  async #waitUntilFormed(masters: number, replicas: number): Promise<void> {
    await waitUntil(
      async () => {
        let linkedReplicas = 0;
        let readyMasters = 0;
        for (const { port } of this.nodes) {
          const ok = await this.#onNode(port, async (redis) => {
            const info = String(await redis.call('CLUSTER', 'INFO'));
            const replication = await redis.info('replication');
            if (replication.includes('role:slave') && replication.includes('master_link_status:up')) linkedReplicas += 1;
            if (replication.includes('role:master')) readyMasters += 1;
            return info.includes('cluster_state:ok');
          }).catch(() => false);
          if (!ok) return false;
        }
        return readyMasters === masters && linkedReplicas === replicas;
      },
      `a cluster of ${masters} masters and ${replicas} linked replicas`,
      30_000,
      100,
    );
  }

  async #onLiveNode<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
    const live = this.nodes.filter(({ port }) => this.isRunning(port));
    let lastError: unknown = new Error('no node is running');
    for (const { port } of live) {
      try {
        return await this.#onNode(port, work);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  async #onNode<T>(port: number, work: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis({
      host: HOST,
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 1000,
      commandTimeout: 2000,
      ...(this.password === undefined ? {} : { password: this.password }),
    });
    try {
      await redis.connect();
      return await work(redis);
    } finally {
      redis.disconnect();
    }
  }

  #node(port: number): ClusterNode {
    const node = this.nodes.find((candidate) => candidate.port === port);
    if (!node) throw new Error(`no node on port ${port}`);
    return node;
  }

  async #saveState(): Promise<void> {
    await writeFile(join(this.dir, STATE_FILE), JSON.stringify({ nodes: this.nodes, password: this.password }, null, 2));
  }
}

async function startNode(dir: string, port: number, busPort: number, nodeTimeoutMs: number, password?: string): Promise<number> {
  const nodeDir = join(dir, String(port));
  await mkdir(nodeDir, { recursive: true });
  const pidFile = join(nodeDir, 'redis.pid');
  await run('redis-server', [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--protected-mode',
    'no',
    '--dir',
    nodeDir,
    '--daemonize',
    'yes',
    '--pidfile',
    pidFile,
    '--logfile',
    join(nodeDir, 'redis.log'),
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-port',
    String(busPort),
    '--cluster-node-timeout',
    String(nodeTimeoutMs),
    // A replica takes over however long it was cut off: availability over the last writes, which
    // the service reports as lost (QUEUE_DATA_LOST) rather than leaving them pending.
    '--cluster-replica-validity-factor',
    '0',
    '--cluster-require-full-coverage',
    'no',
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    ...(password === undefined ? [] : ['--requirepass', password, '--masterauth', password]),
  ]);
  let pid = 0;
  await waitUntil(
    async () => {
      pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
      return pid > 0;
    },
    `redis-server on ${port} to write its pid file`,
    10_000,
    100,
  );
  return pid;
}

/** Consecutive ports from `basePort`, or free ones: a client port and a bus port per node. */
async function choosePorts(count: number, basePort: number | undefined): Promise<Array<{ port: number; busPort: number }>> {
  if (basePort !== undefined) return Array.from({ length: count }, (_, n) => ({ port: basePort + n, busPort: basePort + n + 10_000 }));
  const taken = new Set<number>();
  while (taken.size < count * 2) taken.add(await freePort());
  const free = [...taken];
  return Array.from({ length: count }, (_, n) => ({ port: free[2 * n]!, busPort: free[2 * n + 1]! }));
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
