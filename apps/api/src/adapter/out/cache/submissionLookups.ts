import { StoreUnavailableError, withinDeadline, type MemberStore, type Ticket, type TicketStore } from '@ticketing/core';

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
  /**
   * A member check that takes longer counts as "cannot tell": the submission is queued and the
   * worker checks the member (a slow or absent database must not hold up the queue).
   */
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
): Required<SubmissionLookups> {
  const options = { ...DEFAULTS, ...settings };
  // Concurrent lookups of one ticket share a single query (the promise is what is cached).
  const ticketCache = new Map<number, TicketEntry>();
  // Members are never deleted: once seen, a member exists for good. Absence is not cached, so a
  // member created a moment ago (by any process) is found at once.
  const knownMembers = new Set<number>();
  const memberChecks = new BatchedMemberCheck(members, options.memberCheckTimeoutMs, (memberId) => {
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
      return knownMembers.has(memberId) ? EXISTS : memberChecks.exists(memberId);
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

const MAX_IDS_PER_QUERY = 1000;

/**
 * In a drop nearly every submission is a member's first, so the member check runs once per
 * request: the checks asked during one turn of the event loop share one query, and one timeout.
 */
class BatchedMemberCheck {
  #pending = new Map<number, Array<(exists: boolean | Error) => void>>();

  constructor(
    private readonly members: Pick<MemberStore, 'existingMemberIds'>,
    private readonly timeoutMs: number,
    private readonly found: (memberId: number) => void,
  ) {}

  exists(memberId: number): Promise<boolean> {
    if (this.#pending.size === 0) setImmediate(() => this.#flush());
    return new Promise((resolve, reject) => {
      const waiters = this.#pending.get(memberId);
      const answer = (exists: boolean | Error) => (exists instanceof Error ? reject(exists) : resolve(exists));
      if (waiters) waiters.push(answer);
      else this.#pending.set(memberId, [answer]);
    });
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = new Map();
    const ids = [...batch.keys()];
    for (let start = 0; start < ids.length; start += MAX_IDS_PER_QUERY) {
      const chunk = ids.slice(start, start + MAX_IDS_PER_QUERY);
      withinDeadline(this.members.existingMemberIds(chunk), this.timeoutMs, () => {
        throw new StoreUnavailableError(new Error(`no answer within ${this.timeoutMs} ms`));
      }).then(
        (found) => {
          const existing = new Set(found);
          for (const id of chunk) {
            const exists = existing.has(id);
            if (exists) this.found(id);
            for (const answer of batch.get(id)!) answer(exists);
          }
        },
        (error: unknown) => {
          const failure = error instanceof Error ? error : new Error(String(error));
          for (const id of chunk) for (const answer of batch.get(id)!) answer(failure);
        },
      );
    }
  }
}
