import type { BenchContext } from './context.js';
import { freePort, repoRoot, startProcess, type Started } from './processes.js';

export interface Api {
  url: string;
  process: Started;
}

/** How a system process is run: its RSS is reported under `role`; `nodeArgs` go before the script. */
export interface ProcessOptions {
  role?: string;
  nodeArgs?: readonly string[];
  /** Told about each process once it is ready. */
  onStarted?: (started: Started) => void;
}

/** One API process of the real system, on the bench's database and prefix (request logs off: LOG_LEVEL=warn). */
export async function startApi(ctx: BenchContext, { role = 'api', nodeArgs = [], onStarted }: ProcessOptions = {}): Promise<Api> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const process = await startProcess({
    role,
    script: `${repoRoot}apps/api/dist/main.js`,
    nodeArgs,
    env: { ...ctx.systemEnv, PORT: String(port), LOG_LEVEL: 'warn' },
    readyUrl: `${url}/readyz`,
    sampler: ctx.sampler,
  });
  onStarted?.(process);
  return { url, process };
}

export async function startWorkers(ctx: BenchContext, count: number, { role = 'worker', nodeArgs = [], onStarted }: ProcessOptions = {}): Promise<Started[]> {
  const started = await Promise.all(
    Array.from({ length: count }, () =>
      startProcess({
        role,
        script: `${repoRoot}apps/worker/dist/main.js`,
        nodeArgs,
        env: { ...ctx.systemEnv, LOG_LEVEL: 'info', WORKER_BATCH_SIZE: '500' },
        readyText: 'worker started',
        sampler: ctx.sampler,
      }),
    ),
  );
  for (const worker of started) onStarted?.(worker);
  return started;
}
