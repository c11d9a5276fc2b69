import { startApi as startApiProcess, startWorker } from '@ticketing/testkit';
import type { BenchContext } from './context.js';
import { track, type Started } from './processes.js';

export interface Api {
  url: string;
  process: Started;
}

/** How a system process is run: its RSS is reported under `role`; `nodeArgs` go before the script. */
export interface ProcessOptions {
  role?: string;
  nodeArgs?: readonly string[];
  /** Settings over the bench's own (an empty value: the product's default, as the config reads it). */
  env?: Record<string, string>;
  /** Told about each process once it is ready. */
  onStarted?: (started: Started) => void;
}

/** One API process of the real system, on the bench's database and prefix (request logs off: LOG_LEVEL=warn), once /readyz says 200. */
export async function startApi(ctx: BenchContext, { role = 'api', nodeArgs = [], env = {}, onStarted }: ProcessOptions = {}): Promise<Api> {
  const api = await startApiProcess(
    { ...ctx.systemEnv, LOG_LEVEL: 'warn', ...env },
    { name: role, nodeArgs, readyPath: '/readyz', timeoutMs: 30_000 },
  );
  const process = track(role, api, ctx.sampler);
  onStarted?.(process);
  return { url: api.url, process };
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
