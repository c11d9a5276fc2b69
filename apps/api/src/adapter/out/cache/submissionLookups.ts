import type { MemberStore, Ticket, TicketStore } from '@ticketing/core';

/**
 * The two reads every submission makes before it reaches the queue. Tickets and members never
 * change in a way a submission reads (only issuedQuantity moves, and the sold-out fast path lives
 * in the queue), so they are cached: the hot path then costs no database round trip at all.
 */
export interface SubmissionLookups {
  findTicket(ticketId: number): Promise<Ticket | null>;
  memberExists(memberId: number): Promise<boolean>;
  /** Drops what this process knows about a ticket (it was just created or deleted here). */
  forgetTicket?(ticketId: number): void;
}

export interface LookupCacheOptions {
  /** How long a ticket (or its absence) is trusted: a deleted ticket may be seen this long. */
  ticketTtlMs: number;
  /** An absent ticket is remembered for less, since it may be created any moment. */
  missingTicketTtlMs: number;
  maxTickets: number;
  maxMembers: number;
  now(): number;
}

const DEFAULTS: LookupCacheOptions = {
  ticketTtlMs: 5000,
  missingTicketTtlMs: 1000,
  maxTickets: 10_000,
  maxMembers: 500_000,
  now: Date.now,
};

const EXISTS = Promise.resolve(true);

export function cachedLookups(
  tickets: Pick<TicketStore, 'findTicket'>,
  members: Pick<MemberStore, 'memberExists'>,
  settings: Partial<LookupCacheOptions> = {},
): Required<SubmissionLookups> {
  const options = { ...DEFAULTS, ...settings };
  // Concurrent lookups of one ticket share a single query (the promise is what is cached).
  const ticketCache = new Map<number, { ticket: Promise<Ticket | null>; expiresAt: number; found?: Ticket }>();
  // Members are never deleted: once seen, a member exists for good. Absence is not cached, so a
  // member created a moment ago (by any process) is found at once.
  const knownMembers = new Set<number>();

  return {
    findTicket(ticketId) {
      const now = options.now();
      const cached = ticketCache.get(ticketId);
      if (cached && cached.expiresAt > now) return cached.ticket;
      const entry: { ticket: Promise<Ticket | null>; expiresAt: number; found?: Ticket } = {
        ticket: tickets.findTicket(ticketId),
        expiresAt: now + options.ticketTtlMs,
      };
      const stale = cached?.found;
      if (stale) {
        // Refresh behind the answer: while the database is away the ticket last seen keeps serving
        // submissions (its times and quantity never change) and the queue keeps taking requests.
        entry.found = stale;
        entry.ticket = entry.ticket.catch(() => stale);
        ticketCache.set(ticketId, entry);
        return Promise.resolve(stale);
      }
      ticketCache.delete(ticketId);
      bound(ticketCache, options.maxTickets);
      ticketCache.set(ticketId, entry);
      entry.ticket.then(
        (ticket) => {
          if (ticket === null) entry.expiresAt = Math.min(entry.expiresAt, options.now() + options.missingTicketTtlMs);
          else entry.found = ticket;
        },
        () => {
          if (ticketCache.get(ticketId) === entry) ticketCache.delete(ticketId);
        },
      );
      return entry.ticket;
    },

    memberExists(memberId) {
      if (knownMembers.has(memberId)) return EXISTS;
      return members.memberExists(memberId).then((exists) => {
        if (exists) {
          bound(knownMembers, options.maxMembers);
          knownMembers.add(memberId);
        }
        return exists;
      });
    },

    forgetTicket(ticketId) {
      ticketCache.delete(ticketId);
    },
  };
}

/** Makes room for one more entry by dropping the oldest (insertion order). */
function bound(cache: Map<number, unknown> | Set<number>, max: number): void {
  while (cache.size >= max) {
    const oldest = cache.keys().next();
    if (oldest.done) return;
    cache.delete(oldest.value);
  }
}
