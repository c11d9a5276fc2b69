import { isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { spawnOwned, terminate, type Exit, type OwnedProcess } from './ownedProcess.js';
import { StopWaiting, waitUntil } from './waitUntil.js';

// src/ and dist/ sit at the same depth, so the repository root is three levels up from either.
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface LaunchOptions {
  /** Names it in messages (api-1, worker-2, ...). */
  name: string;
  /** The script, absolute or from the repository root (apps/api/dist/main.js). */
  script: string;
  env?: Record<string, string>;
  /** false: the process sees `env` alone, not this process's environment. */
  inheritEnv?: boolean;
  /** Node options before the script (--cpu-prof, ...). */
  nodeArgs?: readonly string[];
  onLine?: (line: string) => void;
  stdin?: boolean;
}

/** How a launched process says it is ready: a 2xx from a URL, or a line containing a text. */
export type Readiness = { url: string } | { text: string };

/**
 * `node <script>` started by this harness, from the repository root: the one way tests, the
 * fault scenarios and the benchmarks run the built API, worker and helper servers.
 */
export class NodeProcess {
  readonly proc: OwnedProcess;
  /** From spawning to ready, in ms (0 until whenReady resolved): its start-up time. */
  readyAfterMs = 0;
  readonly #spawnedAt = performance.now();
  readonly #linesSeen: string[] = [];
  readonly #wanted = new Set<string>();

  constructor(
    readonly name: string,
    options: Omit<LaunchOptions, 'name'>,
  ) {
    const env = options.inheritEnv === false ? options.env : { ...process.env, ...options.env };
    const script = isAbsolute(options.script) ? options.script : join(REPO_ROOT, options.script);
    this.proc = spawnOwned(process.execPath, [...(options.nodeArgs ?? []), script], {
      cwd: REPO_ROOT,
      env,
      stdin: options.stdin ?? false,
      onLine: (line) => {
        // A ready line is latched as it passes: the output tail may have moved past it when looked at.
        for (const text of this.#wanted) if (line.includes(text)) this.#linesSeen.push(text);
        options.onLine?.(line);
      },
    });
  }

  get child() {
    return this.proc.child;
  }

  get pid(): number {
    return this.proc.pid;
  }

  get exited(): Promise<Exit> {
    return this.proc.exited;
  }

  get alive(): boolean {
    return this.proc.exit() === null;
  }

  output(): string {
    return this.proc.output();
  }

  signal(signal: NodeJS.Signals): void {
    this.proc.signal(signal);
  }

  /**
   * Resolves once ready; if it is not within timeoutMs (or exits), kills it and throws with its output.
   * The default is generous: five processes starting at once on two busy cores took over 20 s.
   */
  async whenReady(readiness: Readiness, timeoutMs = 60_000): Promise<this> {
    if ('text' in readiness) this.#wanted.add(readiness.text);
    const check = async () => {
      if (!this.alive) throw new StopWaiting(`${this.name} exited with ${this.proc.exit()?.code ?? this.proc.exit()?.signal}`);
      if ('text' in readiness) return this.#linesSeen.includes(readiness.text) || this.output().includes(readiness.text);
      return (await fetch(readiness.url, { signal: AbortSignal.timeout(1000) })).ok;
    };
    try {
      await waitUntil(check, `${this.name} ready`, timeoutMs, 25);
    } catch (error) {
      this.signal('SIGKILL');
      await this.exited;
      throw new Error(`${(error as Error).message}\n${this.output()}`, { cause: error });
    }
    this.readyAfterMs = performance.now() - this.#spawnedAt;
    return this;
  }

  /** Sends the signal and waits for the exit (SIGTERM: SIGKILL after graceMs); ms is how long it took to go. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<Exit & { ms: number }> {
    const sentAt = Date.now();
    if (signal !== 'SIGTERM') this.signal(signal);
    const exit = signal === 'SIGTERM' ? await terminate(this.proc, graceMs) : await this.exited;
    return { ...exit, ms: exit.at - sentAt };
  }
}

/** Starts `node <script>`; readiness is the caller's (whenReady). */
export function launchNode(options: LaunchOptions): NodeProcess {
  return new NodeProcess(options.name, options);
}
