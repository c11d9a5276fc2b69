import { sleep, startApi, startWorker, type ApiProcess, type Exit, type NodeProcess } from '@ticketing/testkit';

/** One pino line of a worker, reduced to what the scenarios look at. */
export interface LogEvent {
  /** The process's own clock (pino `time`), so lines read late (after SIGCONT) keep their moment. */
  at: number;
  level: number;
  msg: string;
  ticketId?: number;
  fencingToken?: number;
  result?: string;
}

const MAX_EVENTS = 20_000;

/** An API or worker process of a scenario, with its log parsed as it arrives. */
export class Service {
  readonly events: LogEvent[] = [];
  /** Tickets whose lock this process says it holds: ticketId -> fencing token. */
  readonly holding = new Map<number, number>();
  readonly messageCounts = new Map<string, number>();
  /** An API's own responseTime for the requests it logged (503s and errors at LOG_LEVEL=warn), by x-request-id. */
  readonly responseTimes = new Map<string, number>();

  private constructor(
    readonly name: string,
    readonly kind: 'api' | 'worker',
  ) {}

  #process: NodeProcess | null = null;

  /** Started and ready (answering, or draining): a load balancer sends nothing to it before. */
  static async start(name: string, kind: 'api' | 'worker', env: Record<string, string>): Promise<Service> {
    const service = new Service(name, kind);
    const options = { name, onLine: (line: string) => service.#onLine(line) };
    service.#process = kind === 'api' ? await startApi(env, options) : await startWorker(env, options);
    return service;
  }

  get process(): NodeProcess {
    return this.#process!;
  }

  get url(): string {
    return (this.process as ApiProcess).url;
  }

  get pid(): number {
    return this.process.pid;
  }

  get alive(): boolean {
    return this.process.alive;
  }

  count(msg: string): number {
    return this.messageCounts.get(msg) ?? 0;
  }

  signal(signal: NodeJS.Signals): void {
    this.process.signal(signal);
  }

  /** Sends the signal and waits for the exit; ms is how long the process took to go. */
  stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<Exit & { ms: number }> {
    return this.process.stop(signal, graceMs);
  }

  output(): string {
    return this.process.output();
  }

  #onLine(line: string): void {
    if (!line.startsWith('{')) return;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const msg = typeof parsed.msg === 'string' ? parsed.msg : '';
    this.messageCounts.set(msg, (this.messageCounts.get(msg) ?? 0) + 1);
    const event: LogEvent = {
      at: typeof parsed.time === 'number' ? parsed.time : Date.now(),
      level: typeof parsed.level === 'number' ? parsed.level : 30,
      msg,
      ...(typeof parsed.ticketId === 'number' ? { ticketId: parsed.ticketId } : {}),
      ...(typeof parsed.fencingToken === 'number' ? { fencingToken: parsed.fencingToken } : {}),
      ...(typeof parsed.result === 'string' ? { result: parsed.result } : {}),
    };
    if (this.events.length < MAX_EVENTS) this.events.push(event);
    const req = parsed.req as { id?: unknown } | undefined;
    if (typeof req?.id === 'string' && typeof parsed.responseTime === 'number' && this.responseTimes.size < MAX_EVENTS) {
      this.responseTimes.set(req.id, parsed.responseTime);
    }
    if (event.ticketId === undefined) return;
    if (msg === 'ticket lock acquired' && event.fencingToken !== undefined) this.holding.set(event.ticketId, event.fencingToken);
    if (msg === 'ticket drain ended') this.holding.delete(event.ticketId);
  }
}

/**
 * The processes of one scenario: API and worker processes on one database, Redis and prefix.
 * Clients reach the APIs that are alive at the moment they send (a load balancer's view).
 */
export class Cluster {
  readonly apis: Service[] = [];
  readonly workers: Service[] = [];
  #apiNames = 0;
  #workerNames = 0;

  constructor(readonly env: Record<string, string>) {}

  static async start(env: Record<string, string>, size: { apis: number; workers: number }): Promise<Cluster> {
    const cluster = new Cluster(env);
    // Every start settles before giving up, so that close() stops all that did start.
    const started = await Promise.allSettled([
      ...Array.from({ length: size.apis }, () => cluster.addApi()),
      ...Array.from({ length: size.workers }, () => cluster.addWorker()),
    ]);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      await cluster.close();
      throw failed.reason;
    }
    return cluster;
  }

  async addApi(): Promise<Service> {
    const api = await Service.start(`api-${++this.#apiNames}`, 'api', this.env);
    this.apis.push(api);
    return api;
  }

  async addWorker(): Promise<Service> {
    const worker = await Service.start(`worker-${++this.#workerNames}`, 'worker', this.env);
    this.workers.push(worker);
    return worker;
  }

  /** How long an API says it took over the request with this x-request-id, if it logged it. */
  serverTime(requestId: string | undefined): number | undefined {
    if (requestId === undefined) return undefined;
    for (const api of this.apis) {
      const ms = api.responseTimes.get(requestId);
      if (ms !== undefined) return ms;
    }
    return undefined;
  }

  apiUrls(): string[] {
    return this.apis.filter((api) => api.alive).map((api) => api.url);
  }

  /** The live worker that says it holds the ticket's lock with the newest token, if any. */
  holder(ticketId: number): Service | null {
    let best: Service | null = null;
    for (const worker of this.workers) {
      const token = worker.holding.get(ticketId);
      if (worker.alive && token !== undefined && (best === null || token > best.holding.get(ticketId)!)) best = worker;
    }
    return best;
  }

  async waitForHolder(ticketId: number, timeoutMs: number): Promise<Service | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.holder(ticketId);
      if (found || Date.now() >= deadline) return found;
      await sleep(10);
    }
  }

  /** Every acquisition of the ticket's lock, oldest first, with who took it. */
  acquisitions(ticketId: number): Array<{ worker: Service; at: number; token: number }> {
    return this.workers
      .flatMap((worker) =>
        worker.events
          .filter((e) => e.msg === 'ticket lock acquired' && e.ticketId === ticketId && e.fencingToken !== undefined)
          .map((e) => ({ worker, at: e.at, token: e.fencingToken! })),
      )
      .sort((a, b) => a.at - b.at);
  }

  /** SIGTERM to every live process at once; their exits, by name. */
  async close(): Promise<Map<string, Exit & { ms: number }>> {
    const live = [...this.apis, ...this.workers].filter((service) => service.alive);
    const exits = await Promise.all(live.map((service) => service.stop('SIGTERM')));
    return new Map(live.map((service, i) => [service.name, exits[i]!]));
  }

  /** The last lines of every process's output, each cut short, for a failure message. */
  outputs(linesPerProcess = 12, lineLength = 400): string {
    return [...this.apis, ...this.workers]
      .map((s) => {
        const lines = s
          .output()
          .trimEnd()
          .split('\n')
          .slice(-linesPerProcess)
          .map((line) => line.slice(0, lineLength));
        return `--- ${s.name} (pid ${s.pid})\n${lines.join('\n')}`;
      })
      .join('\n');
  }
}
