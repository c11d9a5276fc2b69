import type { DecidedResult, IssueQueue, LineReading, PeekedRequest, QueuedRequest, RetentionQueue, TicketRef } from '../../src/index.js';
import { idOf, type FakeTicketLock } from './fakeTicketLock.js';
import { Faults } from './faults.js';

/** The drain side of the issue queue in memory: per-ticket FIFOs, fenced by the fake lock. */
export class FakeIssueQueue
  implements Pick<IssueQueue, 'peekBatch' | 'completeBatch' | 'retireIfEmpty'>, Pick<RetentionQueue, 'scheduleRemoval'>
{
  readonly faults = new Faults<'peekBatch' | 'completeBatch' | 'retireIfEmpty'>();
  /** The stored result of each completed request. */
  readonly results = new Map<string, DecidedResult>();
  readonly soldOut = new Set<number>();
  /** The request ids of every batch handed out, in order. */
  readonly peeks: string[][] = [];
  /** The fake time of every retirement that took a ticket off the active list. */
  readonly retirements: number[] = [];
  /** When each ticket's Redis state was scheduled to go (epoch ms), by ticket id. */
  readonly removals = new Map<number, number>();
  readonly #waiting = new Map<number, PeekedRequest[]>();
  /** Each request's sequence number in its ticket's line, and per ticket the next one and the decided count. */
  readonly #sequences = new Map<string, number>();
  readonly #lines = new Map<number, { admitted: number; decided: number }>();

  constructor(
    private readonly lock: FakeTicketLock,
    private readonly now: () => number,
  ) {}

  enqueue(...requests: QueuedRequest[]): void {
    for (const request of requests) {
      this.#queue(request.ticketId).push({ requestId: request.requestId, request });
      this.#sequences.set(request.requestId, this.#line(request.ticketId).admitted++);
    }
  }

  /** A pending request's place as enqueueBatch.lua and completeBatch.lua keep it; null once decided. */
  line(ticketId: number, requestId: string): LineReading | null {
    const sequence = this.#sequences.get(requestId);
    if (sequence === undefined || this.results.has(requestId)) return null;
    return { sequence, decided: this.#line(ticketId).decided, decidedPerSecond: null };
  }

  /** A request the queue still lists but whose data is gone. */
  enqueueLost(ticketId: number, requestId: string): void {
    this.#queue(ticketId).push({ requestId, request: null });
  }

  waiting(ticketId: number): string[] {
    return this.#queue(ticketId).map((entry) => entry.requestId);
  }

  async peekBatch(
    ticket: TicketRef | number,
    fencingToken: number,
    max: number,
    behind: readonly PeekedRequest[] = [],
  ): Promise<PeekedRequest[] | null> {
    await this.faults.before('peekBatch');
    const ticketId = idOf(ticket);
    if (!this.lock.holds(ticketId, fencingToken)) return null;
    const queue = this.#queue(ticketId);
    // As peekBatch.lua: read ahead only while `behind` is still the head of the queue.
    if (behind.length > 0 && queue[behind.length - 1]?.requestId !== behind.at(-1)?.requestId) return [];
    const batch = queue.slice(behind.length, behind.length + max).map((entry) => ({ ...entry }));
    this.peeks.push(batch.map((entry) => entry.requestId));
    return batch;
  }

  async completeBatch(
    ticket: TicketRef | number,
    fencingToken: number,
    results: readonly DecidedResult[],
    soldOut: boolean,
  ): Promise<boolean> {
    await this.faults.before('completeBatch');
    const ticketId = idOf(ticket);
    if (!this.lock.holds(ticketId, fencingToken)) return false;
    const queue = this.#queue(ticketId);
    const head = queue.slice(0, results.length).map((entry) => entry.requestId);
    if (head.join() !== results.map((result) => result.requestId).join()) {
      throw new Error(`completeBatch: results ${results.map((r) => r.requestId).join()} are not the head ${head.join()}`);
    }
    queue.splice(0, results.length);
    this.#line(ticketId).decided += results.length;
    for (const result of results) this.results.set(result.requestId, result);
    if (soldOut) this.soldOut.add(ticketId);
    return true;
  }

  async retireIfEmpty(ticket: TicketRef | number): Promise<boolean> {
    await this.faults.before('retireIfEmpty');
    const ticketId = idOf(ticket);
    if (this.#queue(ticketId).length > 0) return false;
    this.retirements.push(this.now());
    return true;
  }

  async scheduleRemoval(ticket: TicketRef, atMs: number): Promise<void> {
    this.removals.set(ticket.ticketId, atMs);
  }

  #line(ticketId: number): { admitted: number; decided: number } {
    const line = this.#lines.get(ticketId) ?? { admitted: 0, decided: 0 };
    this.#lines.set(ticketId, line);
    return line;
  }

  #queue(ticketId: number): PeekedRequest[] {
    const queue = this.#waiting.get(ticketId) ?? [];
    this.#waiting.set(ticketId, queue);
    return queue;
  }
}
