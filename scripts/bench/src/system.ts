import {
  DEPLOYED_NODE_ARGS,
  freePort,
  launchNode,
  REPO_ROOT,
  startApi as startApiProcess,
  startWorker,
  TEST_AUTH_JWT_SECRET,
} from '@ticketing/testkit';
import type { BenchContext } from './context.js';
import { childPids, track, type Started } from './processes.js';

export interface Api {
  url: string;
  process: Started;
  /** The processes that serve its requests: the one API process, or a cluster's API processes. */
  servingPids: number[];
}

/** How a system process is run: its RSS is reported under `role`; `nodeArgs` go after the deployed ones (DEPLOYED_NODE_ARGS), before the script. */
export interface ProcessOptions {
  role?: string;
  nodeArgs?: readonly string[];
  /** Settings over the bench's own (an empty value: the product's default, as the config reads it). */
  env?: Record<string, string>;
  /** Told about each process once it is ready. */
  onStarted?: (started: Started) => void;
  /** API processes sharing the port through node:cluster, as `npm start -- --apis N` runs them; default 1. */
  apis?: number;
}

/** One API process of the real system, on the bench's database and prefix (request logs off: LOG_LEVEL=warn), once /readyz says 200. */
export async function startApi(ctx: BenchContext, options: ProcessOptions = {}): Promise<Api> {
  const { role = 'api', nodeArgs = [], env = {}, onStarted, apis = 1 } = options;
  if (apis > 1) return startApiCluster(ctx, apis, options);
  const api = await startApiProcess(
    { ...ctx.systemEnv, LOG_LEVEL: 'warn', ...env },
    { name: role, nodeArgs, readyPath: '/readyz', timeoutMs: 30_000 },
  );
  const process = track(role, api, ctx.sampler);
  onStarted?.(process);
  return { url: api.url, process, servingPids: [process.pid] };
}

/**
 * `count` API processes on one port behind a node:cluster primary (servers/apiCluster.ts), with the
 * environment startApiProcess gives one; each API process's RSS is sampled under `role`.
 */
async function startApiCluster(
  ctx: BenchContext,
  count: number,
  { role = 'api', nodeArgs = [], env = {}, onStarted }: ProcessOptions,
): Promise<Api> {
  const port = await freePort();
  const primary = await launchNode({
    name: `${role} primary`,
    script: `${REPO_ROOT}scripts/bench/dist/servers/apiCluster.js`,
    // node:cluster starts the API processes with the primary's node options.
    nodeArgs: [...DEPLOYED_NODE_ARGS, ...nodeArgs],
    env: {
      LOG_LEVEL: 'warn',
      AUTH_JWT_SECRET: TEST_AUTH_JWT_SECRET,
      RATE_SUBMIT_PER_MEMBER: '0',
      ...ctx.systemEnv,
      ...env,
      PORT: String(port),
      API_PROCESSES: String(count),
    },
  }).whenReady({ text: 'api cluster ready' }, 30_000);
  const servingPids = childPids(primary.pid);
  for (const pid of servingPids) ctx.sampler.watch(pid, role);
  const tracked = track(`${role} primary`, primary);
  const process: Started = {
    ...tracked,
    stop: async () => {
      for (const pid of servingPids) ctx.sampler.unwatch(pid);
      await tracked.stop();
    },
  };
  onStarted?.(process);
  return { url: `http://127.0.0.1:${port}`, process, servingPids };
}

export async function startWorkers(
  ctx: BenchContext,
  count: number,
  { role = 'worker', nodeArgs = [], onStarted }: ProcessOptions = {},
): Promise<Started[]> {
  const started = await Promise.all(
    Array.from({ length: count }, async () =>
      track(
        role,
        await startWorker({ ...ctx.systemEnv, WORKER_BATCH_SIZE: '500' }, { name: role, nodeArgs, timeoutMs: 30_000 }),
        ctx.sampler,
      ),
    ),
  );
  for (const worker of started) onStarted?.(worker);
  return started;
}
