import { setMaxListeners } from 'node:events';
import { drainTicket, type DrainDeps, type IssueQueue, type TicketRef } from '@ticketing/core';

export interface SupervisorOptions {
  /** How often the active-ticket list is read; also how soon a free or expired lock is tried again. */
  scanIntervalMs: number;
  /** Most tickets this process drains at once. */
  maxTickets: number;
}

/**
 * Finds tickets with queued requests and runs one drainer per ticket whose lock this process
 * wins. Several worker processes run the same loop; the ticket lock decides who drains what, so
 * a ticket created while the process runs is picked up by the next scan.
 */
export class DrainSupervisor {
  /** Drainers by `<ticketId>:<epoch>`: each ticket row's queue is drained on its own. */
  readonly #running = new Map<string, Promise<void>>();
  readonly #stop = new AbortController();
  #loop: Promise<void> | null = null;

  constructor(
    private readonly deps: DrainDeps & { queue: DrainDeps['queue'] & Pick<IssueQueue, 'activeTickets'> },
    private readonly options: SupervisorOptions,
  ) {
    // Every drainer waits on this one signal.
    setMaxListeners(options.maxTickets + 10, this.#stop.signal);
  }

  start(): void {
    this.#loop ??= this.#scanLoop();
  }

  /** Stops scanning, lets every drainer finish and commit its batch and release its lock. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    await Promise.allSettled(this.#running.values());
  }

  get drainingTickets(): string[] {
    return [...this.#running.keys()];
  }

  async #scanLoop(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        for (const ticket of await this.deps.queue.activeTickets()) {
          if (this.#running.size >= this.options.maxTickets) break;
          if (!this.#running.has(`${ticket.ticketId}:${ticket.epoch}`)) this.#launch(ticket);
        }
      } catch (error) {
        this.deps.log.warn({ err: error }, 'cannot list active tickets; retrying');
      }
      await this.deps.clock.sleep(this.options.scanIntervalMs, signal);
    }
  }

  #launch(ticket: TicketRef): void {
    const key = `${ticket.ticketId}:${ticket.epoch}`;
    const run = drainTicket(this.deps, ticket, this.#stop.signal)
      .then(() => undefined)
      .catch((error: unknown) => this.deps.log.error({ ...ticket, err: error }, 'drainer crashed'))
      .finally(() => this.#running.delete(key));
    this.#running.set(key, run);
  }
}
