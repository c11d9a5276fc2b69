import { describe, expect, test } from '@jest/globals';
import { StoreUnavailableError, type Ticket } from '@ticketing/core';
import { cachedLookups } from '../src/adapter/out/cache/cachedLookups.js';

/** The submission path's cache, in isolation (plain functions stand in for the stores). */
const ticket = (id: number): Ticket => ({
  id,
  name: `t${id}`,
  totalQuantity: 1,
  issuedQuantity: 0,
  openAt: new Date(0),
  closeAt: null,
  generation: '0'.repeat(40),
  stateRemovedAt: null,
  createdAt: new Date(0),
});

function fixture(options: { members?: Set<number>; tickets?: Map<number, Ticket> } = {}) {
  const calls = { tickets: 0, members: 0 };
  let now = 1_000_000;
  let failNext = false;
  const lookups = cachedLookups(
    {
      findTicket: async (id) => {
        calls.tickets += 1;
        if (failNext) {
          failNext = false;
          throw new Error('database down');
        }
        return options.tickets?.get(id) ?? null;
      },
    },
    {
      existingMemberIds: async (ids) => {
        calls.members += 1;
        return ids.filter((id) => options.members?.has(id) ?? false);
      },
    },
    { ticketTtlMs: 5000, missingTicketTtlMs: 1000, maxTickets: 3, maxMembers: 2, now: () => now },
  );
  return { lookups, calls, advance: (ms: number) => (now += ms), failNextTicket: () => (failNext = true) };
}

describe('ticket lookups', () => {
  test('one query for concurrent and repeated lookups within 5 s, a fresh one after', async () => {
    const { lookups, calls, advance } = fixture({ tickets: new Map([[1, ticket(1)]]) });
    const results = await Promise.all([lookups.findTicket(1), lookups.findTicket(1), lookups.findTicket(1)]);
    expect(results.map((t) => t?.id)).toEqual([1, 1, 1]);
    advance(4999);
    await lookups.findTicket(1);
    expect(calls.tickets).toBe(1);
    advance(1);
    await lookups.findTicket(1);
    expect(calls.tickets).toBe(2);
  });

  test('an absent ticket is remembered for 1 s only, and forgetTicket drops an entry at once', async () => {
    const tickets = new Map<number, Ticket>();
    const { lookups, calls, advance } = fixture({ tickets });
    expect(await lookups.findTicket(7)).toBeNull();
    tickets.set(7, ticket(7));
    advance(999);
    expect(await lookups.findTicket(7)).toBeNull();
    advance(1);
    expect((await lookups.findTicket(7))?.id).toBe(7);
    expect(calls.tickets).toBe(2);
    lookups.forgetTicket(7);
    await lookups.findTicket(7);
    expect(calls.tickets).toBe(3);
  });

  test('a failed lookup is not cached', async () => {
    const { lookups, calls, failNextTicket } = fixture({ tickets: new Map([[1, ticket(1)]]) });
    failNextTicket();
    await expect(lookups.findTicket(1)).rejects.toThrow('database down');
    expect((await lookups.findTicket(1))?.id).toBe(1);
    expect(calls.tickets).toBe(2);
  });

  test('holds at most maxTickets entries, dropping the oldest', async () => {
    const { lookups, calls } = fixture({ tickets: new Map([1, 2, 3, 4].map((id) => [id, ticket(id)])) });
    for (const id of [1, 2, 3, 4]) await lookups.findTicket(id);
    expect(calls.tickets).toBe(4);
    await lookups.findTicket(4);
    expect(calls.tickets).toBe(4);
    await lookups.findTicket(1);
    expect(calls.tickets).toBe(5);
  });
});

describe('member lookups', () => {
  test('a member seen once is known for good; absence is asked again every time', async () => {
    const members = new Set([1]);
    const { lookups, calls } = fixture({ members });
    expect(await lookups.memberExists(1)).toBe(true);
    expect(await lookups.memberExists(1)).toBe(true);
    expect(calls.members).toBe(1);
    expect(await lookups.memberExists(2)).toBe(false);
    members.add(2);
    expect(await lookups.memberExists(2)).toBe(true);
    expect(calls.members).toBe(3);
  });

  test('members asked about in the same turn share one query', async () => {
    const { lookups, calls } = fixture({ members: new Set([1, 3]) });
    expect(await Promise.all([1, 2, 3, 1].map((id) => lookups.memberExists(id)))).toEqual([true, false, true, true]);
    expect(calls.members).toBe(1);
  });

  test('a check the store does not answer in time is "cannot tell" for every member asked in that turn', async () => {
    let queries = 0;
    const lookups = cachedLookups(
      { findTicket: async () => null },
      {
        existingMemberIds: () => {
          queries += 1;
          return new Promise<number[]>(() => undefined); // the database never answers
        },
      },
      { memberCheckTimeoutMs: 30 },
    );
    const startedAt = Date.now();
    const answers = await Promise.allSettled([1, 2, 1].map((id) => lookups.memberExists(id)));
    expect(answers.map((answer) => answer.status === 'rejected' && answer.reason instanceof StoreUnavailableError)).toEqual([
      true,
      true,
      true,
    ]);
    expect(Date.now() - startedAt).toBeLessThan(1000);
    expect(queries).toBe(1);
  });

  test('holds at most maxMembers', async () => {
    const { lookups, calls } = fixture({ members: new Set([1, 2, 3]) });
    for (const id of [1, 2, 3]) await lookups.memberExists(id);
    await lookups.memberExists(1);
    expect(calls.members).toBe(4);
  });
});
