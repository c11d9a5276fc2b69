import { setMaxListeners } from 'node:events';
import {
  drainTicket,
  removeEndedState,
  type DrainDeps,
  type IssueQueue,
  type RetentionDeps,
  type RetentionQueue,
  type TicketLock,
  type TicketRef,
} from '@ticketing/core';

/** Most ended tickets one scan removes the state of (the rest wait for the next scans). */
const REMOVALS_PER_SCAN = 10;

/** Where a drainer shows itself while it holds a ticket's lock (Bull Board's worker list). */
export interface DrainerPresence {
  show(ticket: TicketRef): void;
  hide(ticket: TicketRef): Promise<void>;
}

export interface SupervisorOptions {
  /** How often the active-ticket list is read; also how soon a free or expired lock is tried again. */
  scanIntervalMs: number;
  /** Most tickets this process drains at once. */
  maxTickets: number;
  presence?: DrainerPresence;
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
  /** The removal of ended tickets' state in progress, one at a time per process. */
  #removals: Promise<void> | null = null;

  constructor(
    private readonly deps: DrainDeps & {
      store: DrainDeps['store'] & RetentionDeps['store'];
      queue: DrainDeps['queue'] & Pick<IssueQueue, 'activeTickets'> & RetentionQueue;
    },
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
    await Promise.allSettled([...this.#running.values(), this.#removals]);
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
      this.#removals ??= this.#removeDue().finally(() => {
        this.#removals = null;
      });
      await this.deps.clock.sleep(this.options.scanIntervalMs, signal);
    }
  }

  /**
   * Removes the Redis state of tickets whose sale ended RESULT_TTL_S ago (retention, G10), beside
   * the drains: each under its ticket's lock, so a ticket being drained, or being removed by
   * another worker, is left for a later scan.
   */
  async #removeDue(): Promise<void> {
    const { queue, clock, log } = this.deps;
    try {
      for (const ticket of await queue.dueRemovals(clock.now().getTime(), REMOVALS_PER_SCAN)) {
        if (this.#stop.signal.aborted) return;
        if (this.#running.has(`${ticket.ticketId}:${ticket.epoch}`)) continue;
        const result = await removeEndedState({ ...this.deps, resultTtlMs: this.deps.settings.resultTtlMs }, ticket);
        log.debug({ ...ticket, result }, 'ended ticket state removal');
      }
    } catch (error) {
      log.warn({ err: error }, 'cannot remove ended tickets state; retrying');
    }
  }

  /**
   * Runs one drainer. With a presence, the drainer is shown from the moment it wins the lock
   * until its drain ends, whatever the end: released, taken over, or lost for want of renewals
   * (then the lock was never released by this process, so only the end of the drain can tell).
   */
  #launch(ticket: TicketRef): void {
    const key = `${ticket.ticketId}:${ticket.epoch}`;
    const { presence } = this.options;
    const deps = presence ? { ...this.deps, lock: shownWhileHeld(this.deps.lock, presence) } : this.deps;
    const run = drainTicket(deps, ticket, this.#stop.signal)
      .then(() => undefined)
      .catch((error: unknown) => this.deps.log.error({ ...ticket, err: error }, 'drainer crashed'))
      .finally(async () => {
        await presence?.hide(ticket).catch(() => undefined);
        this.#running.delete(key);
      });
    this.#running.set(key, run);
  }
}

/** The lock, telling the presence when it is won; the supervisor hides the drainer when its drain ends. */
function shownWhileHeld(lock: TicketLock, presence: DrainerPresence): TicketLock {
  return {
    get ttlMs() {
      return lock.ttlMs;
    },
    async acquire(ticket) {
      const token = await lock.acquire(ticket);
      if (token !== null) presence.show(ticket);
      return token;
    },
    renew: (ticket, fencingToken) => lock.renew(ticket, fencingToken),
    release: (ticket, fencingToken) => lock.release(ticket, fencingToken),
    raiseFence: (ticket, fencingToken, floor) => lock.raiseFence(ticket, fencingToken, floor),
  };
}
