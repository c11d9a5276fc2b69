import { StoreUnavailableError, TurnBatches, withinDeadline, type MemberStore, type Ticket, type TicketStore } from '@ticketing/core';

/**
 * The two reads every submission makes before it reaches the queue. Tickets and members never
 * change in a way a submission reads (only issuedQuantity moves, and the sold-out fast path lives
 * in the queue), so they are cached: the hot path then costs no database round trip at all.
 */
export interface SubmissionLookups {
  findTicket(ticketId: number): Promise<Ticket | null>;
  memberExists(memberId: number): Promise<boolean>;
  /** Drops what this process knows about a ticket (it was just created or deleted here). */
  forgetTicket(ticketId: number): void;
}

export interface LookupCacheOptions {
  /** How long a ticket (or its absence) is trusted: a deleted ticket may be seen this long. */
  ticketTtlMs: number;
  /** An absent ticket is remembered for less, since it may be created any moment. */
  missingTicketTtlMs: number;
  maxTickets: number;
  maxMembers: number;
  /** A member check that takes longer fails with StoreUnavailableError, as an absent database does. */
  memberCheckTimeoutMs: number;
  now(): number;
}

const DEFAULTS: LookupCacheOptions = {
  ticketTtlMs: 5000,
  missingTicketTtlMs: 1000,
  maxTickets: 10_000,
  maxMembers: 500_000,
  memberCheckTimeoutMs: 300,
  now: Date.now,
};

const EXISTS = Promise.resolve(true);

interface TicketEntry {
  ticket: Promise<Ticket | null>;
  expiresAt: number;
  /** The ticket once loaded; served while a refresh is pending or failing. */
  found?: Ticket;
  refreshing?: boolean;
}

export function cachedLookups(
  tickets: Pick<TicketStore, 'findTicket'>,
  members: Pick<MemberStore, 'existingMemberIds'>,
  settings: Partial<LookupCacheOptions> = {},
): SubmissionLookups {
  const options = { ...DEFAULTS, ...settings };
  // Concurrent lookups of one ticket share a single query (the promise is what is cached).
  const ticketCache = new Map<number, TicketEntry>();
  // Members are never deleted: once seen, a member exists for good. Absence is not cached, so a
  // member created a moment ago (by any process) is found at once.
  const knownMembers = new Set<number>();
  const memberExists = batchedMemberCheck(members, options.memberCheckTimeoutMs, (memberId) => {
    bound(knownMembers, options.maxMembers);
    knownMembers.add(memberId);
  });

  function remember(ticketId: number, entry: TicketEntry): void {
    ticketCache.delete(ticketId);
    bound(ticketCache, options.maxTickets);
    ticketCache.set(ticketId, entry);
  }

  function load(ticketId: number): TicketEntry {
    const entry: TicketEntry = { ticket: tickets.findTicket(ticketId), expiresAt: options.now() + options.ticketTtlMs };
    entry.ticket.then(
      (ticket) => {
        if (ticket === null) entry.expiresAt = Math.min(entry.expiresAt, options.now() + options.missingTicketTtlMs);
        else entry.found = ticket;
      },
      () => {
        if (ticketCache.get(ticketId) === entry) ticketCache.delete(ticketId);
      },
    );
    return entry;
  }

  /**
   * An expired ticket is refreshed behind the answer: while the database is away the ticket last
   * seen keeps serving submissions (its times and quantity never change), so the queue keeps
   * taking requests, and the refresh is tried again a TTL later.
   */
  function revalidate(ticketId: number, stale: TicketEntry & { found: Ticket }): Promise<Ticket | null> {
    if (!stale.refreshing) {
      stale.refreshing = true;
      const fresh = load(ticketId);
      fresh.ticket.then(
        () => ticketCache.get(ticketId) === stale && remember(ticketId, fresh),
        () => {
          stale.refreshing = false;
          stale.expiresAt = options.now() + options.ticketTtlMs;
        },
      );
    }
    return Promise.resolve(stale.found);
  }

  return {
    findTicket(ticketId) {
      const cached = ticketCache.get(ticketId);
      if (cached && cached.expiresAt > options.now()) return cached.ticket;
      if (cached?.found) return revalidate(ticketId, cached as TicketEntry & { found: Ticket });
      const entry = load(ticketId);
      remember(ticketId, entry);
      return entry.ticket;
    },

    memberExists(memberId) {
      return knownMembers.has(memberId) ? EXISTS : memberExists(memberId);
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

/** Most member ids in one query. */
const MAX_IDS_PER_QUERY = 1000;

/**
 * In a drop nearly every submission is a member's first, so the checks asked during one turn of
 * the event loop share one query (per 1000 ids) and its one timeout; a query that does not answer
 * in time fails its checks with StoreUnavailableError.
 */
function batchedMemberCheck(
  members: Pick<MemberStore, 'existingMemberIds'>,
  timeoutMs: number,
  found: (memberId: number) => void,
): (memberId: number) => Promise<boolean> {
  const checks = new TurnBatches<null, number, boolean>(async (_, memberIds) => {
    const existing = new Set(
      await withinDeadline(members.existingMemberIds(memberIds), timeoutMs, () => {
        throw new StoreUnavailableError(new Error(`no answer within ${timeoutMs} ms`));
      }),
    );
    for (const memberId of existing) found(memberId);
    return memberIds.map((memberId) => existing.has(memberId));
  }, MAX_IDS_PER_QUERY);
  return (memberId) => checks.add(null, memberId);
}
