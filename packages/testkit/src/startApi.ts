import { freePort } from './freePort.js';
import { launchNode, type NodeProcess } from './launchNode.js';
import { TEST_AUTH_JWT_SECRET } from './tokens.js';

export interface ApiProcess extends NodeProcess {
  readonly url: string;
}

/**
 * The node options `npm start`, the Docker image and docker-compose run the API and the worker with
 * (test/faults/heldPollsUnderHeapLimit.test.ts holds them to it), so tests and the bench measure the
 * processes as deployed. The heap limit bounds what held connections can cost; and with a limit
 * under 2 GiB, V8 lets the old generation grow to at most 1.6× what survived its last full
 * collection at 1 GiB (2.0× near 2 GiB) instead of up to 4×, which is what keeps a process near
 * 200 MiB under load. The young generation is pinned to Node 20's own size for that heap (semi-spaces
 * of 16 MiB): Node 24, the Docker image's, sizes them from the heap limit up to 64 MiB, which took a
 * loaded API from about 200 to about 300 MiB.
 */
export const DEPLOYED_NODE_ARGS: readonly string[] = ['--max-old-space-size=1024', '--max-semi-space-size=16'];

export interface StartOptions {
  name?: string;
  /** Node options after DEPLOYED_NODE_ARGS (a later flag wins over an earlier one). */
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
    nodeArgs: [...DEPLOYED_NODE_ARGS, ...(options.nodeArgs ?? [])],
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
    nodeArgs: [...DEPLOYED_NODE_ARGS, ...(options.nodeArgs ?? [])],
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  return worker.whenReady({ text: 'worker started' }, options.timeoutMs);
}
