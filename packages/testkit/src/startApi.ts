import { freePort } from './freePort.js';
import { launchNode, type NodeProcess } from './launchNode.js';
import { TEST_AUTH_JWT_SECRET } from './tokens.js';

export interface ApiProcess extends NodeProcess {
  readonly url: string;
}

export interface StartOptions {
  name?: string;
  nodeArgs?: readonly string[];
  onLine?: (line: string) => void;
  timeoutMs?: number;
}

/**
 * The built API (apps/api/dist) on a free port with `env`, once `readyPath` answers 2xx.
 * Request logs are off (LOG_LEVEL=warn) unless env says otherwise: 503s and errors still show.
 * It verifies tokens with TEST_AUTH_JWT_SECRET (testTokens signs with it) and counts no
 * submissions per member (a drop's clients retry 503s as real clients do), unless env says otherwise.
 */
export async function startApi(
  env: Record<string, string>,
  options: StartOptions & { readyPath?: '/healthz' | '/readyz' } = {},
): Promise<ApiProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const api = launchNode({
    name: options.name ?? 'api',
    script: 'apps/api/dist/main.js',
    env: { LOG_LEVEL: 'warn', AUTH_JWT_SECRET: TEST_AUTH_JWT_SECRET, RATE_SUBMIT_PER_MEMBER: '0', ...env, PORT: String(port) },
    nodeArgs: options.nodeArgs ?? [],
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  Object.assign(api, { url });
  return (await api.whenReady({ url: `${url}${options.readyPath ?? '/healthz'}` }, options.timeoutMs)) as ApiProcess;
}

/** The built worker (apps/worker/dist) with `env`, once it logs "worker started" (so at LOG_LEVEL=info). */
export async function startWorker(env: Record<string, string>, options: StartOptions = {}): Promise<NodeProcess> {
  const worker = launchNode({
    name: options.name ?? 'worker',
    script: 'apps/worker/dist/main.js',
    env: { ...env, LOG_LEVEL: 'info' },
    nodeArgs: options.nodeArgs ?? [],
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  return worker.whenReady({ text: 'worker started' }, options.timeoutMs);
}
