import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Wall-clock ms when it was seen to exit. */
  at: number;
}

/** A child this harness spawned itself: it is only ever signalled by its own pid. */
export interface OwnedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last 64 KiB it printed (stdout and stderr), for a failure message. */
  output(): string;
  readonly exited: Promise<Exit>;
  exit(): Exit | null;
  signal(signal: NodeJS.Signals): void;
}

const owned = new Set<ChildProcess>();
// A harness that dies (an uncaught error, Jest tearing down) must not leave servers behind.
process.once('exit', () => {
  for (const child of owned) {
    try {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

export function spawnOwned(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; onLine?: (line: string) => void },
): OwnedProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`cannot start ${command}`);
  owned.add(child);
  let output = '';
  let partial = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-65_536);
    if (!options.onLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) options.onLine(line);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exit: Exit | null = null;
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      owned.delete(child);
      exit = { code, signal, at: Date.now() };
      resolve(exit);
    }),
  );
  return {
    child,
    pid: child.pid,
    output: () => output,
    exited,
    exit: () => exit,
    signal(signal) {
      if (exit === null) child.kill(signal);
    },
  };
}

/** SIGTERM (after SIGCONT, in case it is frozen); SIGKILL if it is still there after graceMs. */
export async function terminate(proc: OwnedProcess, graceMs = 10_000): Promise<Exit> {
  proc.signal('SIGCONT');
  proc.signal('SIGTERM');
  const timer = setTimeout(() => proc.signal('SIGKILL'), graceMs);
  try {
    return await proc.exited;
  } finally {
    clearTimeout(timer);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Thrown by a wait's check when waiting longer cannot help (the process it waits for died). */
export class StopWaiting extends Error {}

/**
 * Polls `check` every intervalMs until it holds; throws naming `what` after timeoutMs. A check
 * that throws counts as "not yet" (a refused connection), unless it throws StopWaiting.
 */
export async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs: number, intervalMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await Promise.resolve()
      .then(check)
      .catch((error: unknown) => {
        if (error instanceof StopWaiting) throw error;
        return false;
      });
    if (ok) return;
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
