import { spawn, type ChildProcess } from 'node:child_process';

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

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with each complete line of stdout and stderr. */
  onLine?: (line: string) => void;
  /** A pipe to its stdin (a bench worker waits for "go"); otherwise stdin is closed. */
  stdin?: boolean;
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

export function spawnOwned(command: string, args: readonly string[], options: SpawnOptions = {}): OwnedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`cannot start ${command}`);
  owned.add(child);
  let output = '';
  const partial = { stdout: '', stderr: '' };
  const keep = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-65_536);
    if (!options.onLine) return;
    const lines = (partial[stream] + text).split('\n');
    partial[stream] = lines.pop() ?? '';
    for (const line of lines) options.onLine(line);
  };
  child.stdout!.on('data', keep('stdout'));
  child.stderr!.on('data', keep('stderr'));
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
