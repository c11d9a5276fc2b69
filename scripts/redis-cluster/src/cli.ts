import { fileURLToPath } from 'node:url';
import { LocalRedisCluster } from '@ticketing/testkit';

/**
 * npm run cluster:up [-- --base-port 7001]   a 3-master, 3-replica cluster in .local/redis-cluster
 * npm run cluster:down                         stops it and removes its files
 */
const DIR = fileURLToPath(new URL('../../../.local/redis-cluster', import.meta.url));

async function up(basePort: number): Promise<void> {
  const existing = await LocalRedisCluster.attach(DIR);
  if (existing?.nodes.every(({ port }) => existing.isRunning(port))) {
    report(existing, 'is already up');
    return;
  }
  await existing?.destroy();
  const cluster = await LocalRedisCluster.start({ dir: DIR, basePort });
  report(cluster, 'is up');
}

async function down(): Promise<void> {
  const cluster = await LocalRedisCluster.attach(DIR);
  if (!cluster) {
    process.stdout.write('no local Redis Cluster to stop\n');
    return;
  }
  await cluster.destroy();
  process.stdout.write(`stopped the local Redis Cluster (${cluster.seedNodes}) and removed ${DIR}\n`);
}

function report(cluster: LocalRedisCluster, state: string): void {
  const lines = [
    `local Redis Cluster ${state}: 3 masters + 3 replicas, AOF on, data in ${DIR}`,
    '',
    'point the service at it:',
    `  export REDIS_CLUSTER_NODES=${cluster.seedNodes}`,
    '  npm start',
    '',
    'stop it: npm run cluster:down',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const [command, ...rest] = process.argv.slice(2);
const basePortAt = rest.indexOf('--base-port');
const basePort = basePortAt >= 0 ? Number(rest[basePortAt + 1]) : 7001;
if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 55_000) {
  process.stderr.write('--base-port must be an integer from 1024 to 55000 (bus ports are +10000)\n');
  process.exit(2);
}
const commands: Record<string, () => Promise<void>> = { up: () => up(basePort), down };
const chosen = command ? commands[command] : undefined;
if (!chosen) {
  process.stderr.write('usage: cli.js up [--base-port 7001] | down\n');
  process.exit(2);
}
chosen().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
