import { type LineTotals, remainingQuantity, type Ticket } from '@ticketing/core';

/** One `stats` event of GET /tickets/{id}/events. */
export interface TicketStats {
  accepted: number;
  decided: number;
  issued: number;
  rejected: number;
  failed: number;
  waiting: number;
  remainingQuantity: number;
  acceptedPerSecond: number;
  decidedPerSecond: number;
}

/** The ticket's line and row; no line when the row is gone. */
export type ReadTicketStats = (ticketId: number) => Promise<{ line: LineTotals | null; ticket: Ticket | null }>;

type Listener = (stats: TicketStats) => void;

interface Followed {
  listeners: Set<Listener>;
  timer: NodeJS.Timeout;
  previous: { at: number; accepted: number; decided: number } | null;
  rates: { accepted: number; decided: number };
}

/**
 * The stats of each followed ticket, read once per interval per process however many consoles
 * follow it, and handed to all of them. A ticket nobody follows any more is not read.
 */
export class TicketStatsFeed {
  readonly #followed = new Map<number, Followed>();

  constructor(
    private readonly read: ReadTicketStats,
    private readonly intervalMs = 1000,
  ) {}

  /** Tells `listener` the ticket's stats now, then every interval, until the returned function is called. */
  follow(ticketId: number, listener: Listener): () => void {
    let followed = this.#followed.get(ticketId);
    if (!followed) {
      const timer = setInterval(() => void this.#tick(ticketId), this.intervalMs);
      timer.unref();
      followed = { listeners: new Set(), timer, previous: null, rates: { accepted: 0, decided: 0 } };
      this.#followed.set(ticketId, followed);
    }
    followed.listeners.add(listener);
    // A new follower (or one reconnecting) gets the current state at once, not after an interval.
    void this.#sample(ticketId, followed).then((stats) => stats && listener(stats));
    const current = followed;
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size === 0 && this.#followed.get(ticketId) === current) {
        clearInterval(current.timer);
        this.#followed.delete(ticketId);
      }
    };
  }

  async #tick(ticketId: number): Promise<void> {
    const followed = this.#followed.get(ticketId);
    if (!followed) return;
    const stats = await this.#sample(ticketId, followed);
    if (stats) for (const listener of followed.listeners) listener(stats);
  }

  /** The ticket's stats, or null when they cannot be read now (the next interval tries again). */
  async #sample(ticketId: number, followed: Followed): Promise<TicketStats | null> {
    let read: Awaited<ReturnType<ReadTicketStats>>;
    try {
      read = await this.read(ticketId);
    } catch {
      return null;
    }
    const { ticket } = read;
    if (read.line === null) return null;
    const line = read.line;
    const at = performance.now();
    const previous = followed.previous;
    const seconds = previous ? (at - previous.at) / 1000 : 0;
    // A new follower's sample, moments after the last, is no interval to measure a rate over.
    if (!previous || seconds >= 0.2) {
      if (previous) {
        const perSecond = (now: number, before: number) => Math.max(0, Math.round((now - before) / seconds));
        followed.rates = { accepted: perSecond(line.admitted, previous.accepted), decided: perSecond(line.decided, previous.decided) };
      }
      followed.previous = { at, accepted: line.admitted, decided: line.decided };
    }
    return {
      accepted: line.admitted,
      decided: line.decided,
      issued: line.issued,
      rejected: line.rejected,
      failed: line.failed,
      waiting: Math.max(0, line.admitted - line.decided),
      remainingQuantity: ticket ? remainingQuantity(ticket) : 0,
      acceptedPerSecond: followed.rates.accepted,
      decidedPerSecond: followed.rates.decided,
    };
  }
}
