import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface Started {
  child: ChildProcess;
  pid: number;
  role: string;
  /** Milliseconds from spawning the process to its being ready (its start-up). */
  readyAfterMs: number;
  stop(): Promise<void>;
}

/** Max VmRSS (KiB) seen per role, sampled every 200 ms while the processes live. */
export class RssSampler {
  readonly maxKiB = new Map<string, number>();
  readonly #watched = new Map<number, string>();
  readonly #timer: NodeJS.Timeout;

  constructor() {
    this.#timer = setInterval(() => this.sample(), 200);
    this.#timer.unref();
  }

  watch(pid: number, role: string): void {
    this.#watched.set(pid, role);
  }

  unwatch(pid: number): void {
    this.sample();
    this.#watched.delete(pid);
  }

  sample(): void {
    for (const [pid, role] of this.#watched) {
      try {
        const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (match) this.maxKiB.set(role, Math.max(this.maxKiB.get(role) ?? 0, Number(match[1])));
      } catch {
        // exited between samples
      }
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}

/**
 * CPU time (user + system, all threads, in ms) a process has used so far, from /proc (Linux, 10 ms
 * ticks). CPU per request is steadier than requests per second on a shared, noisy machine.
 */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const live = new Set<Started>();

/** Starts `node <script>` and resolves once a stdout line contains `readyText` (or rejects after timeoutMs). */
export async function startProcess(options: {
  role: string;
  script: string;
  env: Record<string, string>;
  /** Node options put before the script (e.g. `--cpu-prof`). */
  nodeArgs?: readonly string[];
  /** A stdout line containing this, or (readyUrl) a 200 from this URL, means ready. */
  readyText?: string;
  readyUrl?: string;
  sampler?: RssSampler;
  timeoutMs?: number;
}): Promise<Started> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const started: Started = {
    child,
    pid,
    role: options.role,
    readyAfterMs: 0,
    stop: () =>
      new Promise<void>((resolve) => {
        live.delete(started);
        options.sampler?.unwatch(pid);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(killTimer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
  live.add(started);
  options.sampler?.watch(pid, options.role);
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${options.role} not ready after ${options.timeoutMs ?? 30_000} ms: ${stderr}`)), options.timeoutMs ?? 30_000);
    const ready = () => {
      clearTimeout(timer);
      resolve();
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer = (buffer + chunk.toString()).slice(-10_000);
      if (options.readyText !== undefined && buffer.includes(options.readyText)) ready();
    });
    if (options.readyUrl !== undefined) {
      const url = options.readyUrl;
      const poll = async (): Promise<void> => {
        for (let attempt = 0; attempt < 300 && child.exitCode === null; attempt++) {
          try {
            if ((await fetch(url)).status === 200) return ready();
          } catch {
            // not listening yet
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      void poll();
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.role} exited with ${code}: ${stderr}`));
    });
  });
  started.readyAfterMs = performance.now() - spawnedAt;
  // Keep draining the pipes so the child never blocks on a full one.
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  return started;
}

/** Stops every process this bench started and has not stopped yet (only ours, by pid). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((started) => started.stop()));
}
