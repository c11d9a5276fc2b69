import type { TicketRef } from '../domain/ticket.js';
import type { TicketLock } from '../ports/queue.js';
import type { Clock, Logger } from '../ports/runtime.js';

export interface LeaseDeps {
  lock: TicketLock;
  clock: Clock;
  log: Logger;
}

/**
 * A held ticket lock, renewed in the background at a third of its lifetime. It counts as lost as
 * soon as the lock says another holder has it, or when no renewal has succeeded for a whole
 * lifetime (Redis unreachable: the key has expired there by now and someone else may hold it).
 */
export class Lease {
  #lost = false;
  #lastRenewedAt: number;
  readonly #ended = new AbortController();
  readonly #renewals: Promise<void>;

  constructor(
    private readonly deps: LeaseDeps,
    readonly ticket: TicketRef,
    public token: number,
    /** When the acquiring call was sent (clock.monotonicMs()): the lifetime counts from then at the latest. */
    acquiredAt: number,
  ) {
    this.#lastRenewedAt = acquiredAt;
    this.#renewals = this.#renewLoop();
  }

  get ticketId(): number {
    return this.ticket.ticketId;
  }

  get lost(): boolean {
    if (!this.#lost && this.deps.clock.monotonicMs() - this.#lastRenewedAt >= this.deps.lock.ttlMs) this.#lost = true;
    return this.#lost;
  }

  /** Stops renewing, waits for a renewal in flight, then releases the lock unless it was lost. */
  async end(): Promise<void> {
    this.#ended.abort();
    await this.#renewals;
    if (this.#lost) return;
    this.#lost = true;
    await this.deps.lock.release(this.ticket, this.token).catch((error: unknown) => {
      this.deps.log.warn({ ticketId: this.ticketId, err: error }, 'lock release failed; it expires by itself');
    });
  }

  async #renewLoop(): Promise<void> {
    const interval = Math.max(1, Math.floor(this.deps.lock.ttlMs / 3));
    const ended = this.#ended.signal;
    for (;;) {
      await this.deps.clock.sleep(interval, ended);
      if (ended.aborted) return;
      await this.#renew();
      if (ended.aborted || this.lost) return;
    }
  }

  async #renew(): Promise<void> {
    const { lock, clock, log } = this.deps;
    const startedAt = clock.monotonicMs();
    try {
      if (await lock.renew(this.ticket, this.token)) {
        this.#lastRenewedAt = startedAt;
      } else {
        log.warn({ ticketId: this.ticketId, fencingToken: this.token }, 'ticket lock taken over');
        this.#lost = true;
      }
    } catch (error) {
      log.warn({ ticketId: this.ticketId, err: error }, 'ticket lock renewal failed');
    }
  }
}
