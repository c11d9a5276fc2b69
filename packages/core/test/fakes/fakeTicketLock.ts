import type { TicketLock, TicketRef } from '../../src/index.js';
import { Faults } from './faults.js';

/**
 * The ticket lock in memory: one holder per ticket, tokens from one counter, as in Redis. The unit
 * tests use one generation per ticket, so a ticket id (or a TicketRef's) is enough of a key.
 */
export class FakeTicketLock implements TicketLock {
  readonly faults = new Faults<'acquire' | 'renew' | 'release' | 'raiseFence'>();
  /** Every release call, as [ticketId, token]. */
  readonly releases: Array<[number, number]> = [];
  readonly #holders = new Map<number, number>();
  #counter = 0;

  constructor(readonly ttlMs = 3000) {}

  holds(ticketId: number, token: number): boolean {
    return this.#holders.get(ticketId) === token;
  }

  /** Another worker takes the ticket, as after this holder's lock expired; answers its token. */
  takeOver(ticketId: number): number {
    this.#counter += 1;
    this.#holders.set(ticketId, this.#counter);
    return this.#counter;
  }

  async acquire(ticket: TicketRef | number): Promise<number | null> {
    await this.faults.before('acquire');
    const ticketId = idOf(ticket);
    if (this.#holders.has(ticketId)) return null;
    this.#counter += 1;
    this.#holders.set(ticketId, this.#counter);
    return this.#counter;
  }

  async renew(ticket: TicketRef | number, fencingToken: number): Promise<boolean> {
    await this.faults.before('renew');
    const ticketId = idOf(ticket);
    return this.holds(ticketId, fencingToken);
  }

  async release(ticket: TicketRef | number, fencingToken: number): Promise<void> {
    await this.faults.before('release');
    const ticketId = idOf(ticket);
    this.releases.push([ticketId, fencingToken]);
    if (this.holds(ticketId, fencingToken)) this.#holders.delete(ticketId);
  }

  async raiseFence(ticket: TicketRef | number, fencingToken: number, floor: number): Promise<number | null> {
    await this.faults.before('raiseFence');
    const ticketId = idOf(ticket);
    if (!this.holds(ticketId, fencingToken)) return null;
    this.#counter = Math.max(this.#counter, floor) + 1;
    this.#holders.set(ticketId, this.#counter);
    return this.#counter;
  }
}

export function idOf(ticket: TicketRef | number): number {
  return typeof ticket === 'number' ? ticket : ticket.ticketId;
}
