import type { BenchContext } from './context.js';
import { freePort, repoRoot, startProcess, type Started } from './processes.js';

export interface Api {
  url: string;
  process: Started;
}

/** One API process of the real system, on the bench's database and prefix (request logs off: LOG_LEVEL=warn). */
export async function startApi(ctx: BenchContext): Promise<Api> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const process = await startProcess({
    role: 'api',
    script: `${repoRoot}apps/api/dist/main.js`,
    env: { ...ctx.systemEnv, PORT: String(port), LOG_LEVEL: 'warn' },
    readyUrl: `${url}/readyz`,
    sampler: ctx.sampler,
  });
  return { url, process };
}

export async function startWorkers(ctx: BenchContext, count: number): Promise<Started[]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      startProcess({
        role: 'worker',
        script: `${repoRoot}apps/worker/dist/main.js`,
        env: { ...ctx.systemEnv, LOG_LEVEL: 'info', WORKER_BATCH_SIZE: '500' },
        readyText: 'worker started',
        sampler: ctx.sampler,
      }),
    ),
  );
}
