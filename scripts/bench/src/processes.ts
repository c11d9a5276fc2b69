import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { launchNode, type NodeProcess } from '@ticketing/testkit';

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

/** The processes `pid` started (a node:cluster primary's API processes), from /proc. */
export function childPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((thread) =>
    readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8')
      .split(' ')
      .filter((child) => child !== '')
      .map(Number),
  );
}

/** A process of the bench: its memory sampled under `role`, and stopped by stopAll if not before. */
export interface Started {
  readonly process: NodeProcess;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly role: string;
  /** Milliseconds from spawning the process to its being ready (its start-up). */
  readonly readyAfterMs: number;
  stop(): Promise<void>;
}

const live = new Set<Started>();

/** Takes a launched, ready process into the bench's care (RSS sampling, stopAll). */
export function track(role: string, process: NodeProcess, sampler?: RssSampler): Started {
  sampler?.watch(process.pid, role);
  const started: Started = {
    process,
    child: process.child,
    pid: process.pid,
    role,
    readyAfterMs: process.readyAfterMs,
    stop: async () => {
      live.delete(started);
      sampler?.unwatch(process.pid);
      await process.stop('SIGTERM', 10_000);
    },
  };
  live.add(started);
  return started;
}

/** Starts `node <script>` of the bench (a bare server, a baseline) and resolves once it prints `readyText`. */
export async function startProcess(options: {
  role: string;
  script: string;
  env: Record<string, string>;
  readyText: string;
  sampler?: RssSampler;
  timeoutMs?: number;
}): Promise<Started> {
  const process = launchNode({ name: options.role, script: options.script, env: options.env, stdin: true });
  await process.whenReady({ text: options.readyText }, options.timeoutMs ?? 30_000);
  return track(options.role, process, options.sampler);
}

/** Stops every process this bench started and has not stopped yet (only ours, by pid). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((started) => started.stop()));
}
