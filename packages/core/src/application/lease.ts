import type { TicketLock } from '../ports/queue.js';
import type { Logger } from '../ports/runtime.js';

/**
 * A held ticket lock, renewed in the background at a third of its lifetime. It counts as lost as
 * soon as Redis says another holder has it, or when no renewal has succeeded for a whole lifetime
 * (Redis unreachable: the key has expired there by now and someone else may hold it).
 */
export class Lease {
  #lost = false;
  #lastRenewedAt: number;
  #timer: NodeJS.Timeout | null = null;
  #renewing: Promise<void> | null = null;

  constructor(
    private readonly lock: TicketLock,
    readonly ticketId: number,
    public token: number,
    private readonly log: Logger,
    /** When the acquiring call was sent: the lock's lifetime counts from no later than that. */
    acquiredAt: number,
  ) {
    this.#lastRenewedAt = acquiredAt;
    this.#schedule();
  }

  get lost(): boolean {
    if (!this.#lost && Date.now() - this.#lastRenewedAt >= this.lock.ttlMs) this.#lost = true;
    return this.#lost;
  }

  markLost(): void {
    this.#lost = true;
  }

  async end(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#renewing;
    if (this.#lost) return;
    this.#lost = true;
    await this.lock.release(this.ticketId, this.token).catch((error: unknown) => {
      this.log.warn({ ticketId: this.ticketId, err: error }, 'lock release failed; it expires by itself');
    });
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#renewing = this.#renew().finally(() => {
        this.#renewing = null;
        if (this.#timer !== null && !this.lost) this.#schedule();
      });
    }, Math.max(1, Math.floor(this.lock.ttlMs / 3)));
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    const startedAt = Date.now();
    try {
      if (await this.lock.renew(this.ticketId, this.token)) {
        this.#lastRenewedAt = startedAt;
      } else {
        this.log.warn({ ticketId: this.ticketId, fencingToken: this.token }, 'ticket lock taken over');
        this.#lost = true;
      }
    } catch (error) {
      this.log.warn({ ticketId: this.ticketId, err: error }, 'ticket lock renewal failed');
    }
  }
}
