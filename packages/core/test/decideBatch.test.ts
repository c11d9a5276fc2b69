import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { decideBatch, type Decision, type DrainState, type MemberTicket, type QueuedRequest } from '../src/index.js';

const request = (memberId: number, acceptedAt = 0, n = memberId): QueuedRequest => ({
  requestId: `r${n}`,
  ticketId: 1,
  memberId,
  acceptedAt,
});

/** Runs a whole sequence in the given batch sizes, carrying the ticket and its rows across batches like the drainer does. */
function decideInBatches(
  initial: DrainState,
  requests: QueuedRequest[],
  sizes: number[],
  preexisting: Pick<MemberTicket, 'memberId' | 'issueNumber'>[] = [],
): Decision[] {
  const rows = new Map(preexisting.map((issue) => [issue.memberId, issue]));
  let issuedQuantity = initial.issuedQuantity;
  const all: Decision[] = [];
  let offset = 0;
  let turn = 0;
  while (offset < requests.length) {
    const size = Math.max(1, sizes[turn++ % Math.max(1, sizes.length)] ?? 1);
    const batch = requests.slice(offset, offset + size);
    offset += batch.length;
    const existing = batch.flatMap((r) => (rows.has(r.memberId) ? [rows.get(r.memberId)!] : []));
    const result = decideBatch({ ...initial, issuedQuantity }, batch, existing);
    for (const issue of result.newIssues) rows.set(issue.memberId, issue);
    issuedQuantity = result.issuedQuantity;
    all.push(...result.decisions);
  }
  return all;
}

const arbitraryRun = fc.record({
  totalQuantity: fc.integer({ min: 1, max: 40 }),
  issuedQuantity: fc.integer({ min: 0, max: 10 }),
  closeAt: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
  // Few distinct members so that duplicates are common.
  requests: fc.array(fc.record({ memberId: fc.integer({ min: 1, max: 30 }), acceptedAt: fc.integer({ min: 0, max: 100 }) }), {
    maxLength: 120,
  }),
  sizes: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
});

describe('decideBatch', () => {
  test('issues in queue order while stock lasts, then rejects SOLD_OUT', () => {
    const result = decideBatch({ totalQuantity: 2, issuedQuantity: 0, closeAt: null }, [request(7), request(8), request(9)], []);
    expect(result.decisions.map((d) => [d.memberId, d.status])).toEqual([
      [7, 'ISSUED'],
      [8, 'ISSUED'],
      [9, 'REJECTED'],
    ]);
    expect(result.newIssues).toEqual([
      { requestId: 'r7', memberId: 7, issueNumber: 1 },
      { requestId: 'r8', memberId: 8, issueNumber: 2 },
    ]);
    expect(result.decisions[2]).toMatchObject({ reason: 'SOLD_OUT' });
    expect(result.issuedQuantity).toBe(2);
  });

  test('numbers continue from the ticket’s current count', () => {
    const result = decideBatch({ totalQuantity: 10, issuedQuantity: 4, closeAt: null }, [request(1), request(2)], []);
    expect(result.newIssues.map((i) => i.issueNumber)).toEqual([5, 6]);
  });

  test('a member who already holds the ticket gets it again, with no new row', () => {
    const result = decideBatch({ totalQuantity: 1, issuedQuantity: 1, closeAt: null }, [request(3)], [{ memberId: 3, issueNumber: 1 }]);
    expect(result.decisions).toEqual([{ status: 'ISSUED', requestId: 'r3', memberId: 3, issueNumber: 1 }]);
    expect(result.newIssues).toEqual([]);
  });

  test('a request accepted at or after the close time is rejected CLOSED, before it takes stock', () => {
    const result = decideBatch(
      { totalQuantity: 5, issuedQuantity: 0, closeAt: 100 },
      [request(1, 99), request(2, 100), request(3, 101)],
      [],
    );
    expect(result.decisions.map((d) => (d.status === 'REJECTED' ? d.reason : d.status))).toEqual(['ISSUED', 'CLOSED', 'CLOSED']);
  });

  test('property: any split into batches decides exactly as one request at a time', () => {
    fc.assert(
      fc.property(arbitraryRun, ({ totalQuantity, issuedQuantity, closeAt, requests, sizes }) => {
        const initial = { totalQuantity: totalQuantity + issuedQuantity, issuedQuantity, closeAt };
        const sequence = requests.map((r, n) => request(r.memberId, r.acceptedAt, n));
        expect(decideInBatches(initial, sequence, sizes)).toEqual(decideInBatches(initial, sequence, [1]));
      }),
      { numRuns: 500 },
    );
  });

  test('property: never more than the stock, numbers contiguous from the current count, one ticket per member', () => {
    fc.assert(
      fc.property(arbitraryRun, ({ totalQuantity, issuedQuantity, closeAt, requests, sizes }) => {
        const initial = { totalQuantity: totalQuantity + issuedQuantity, issuedQuantity, closeAt };
        const decisions = decideInBatches(
          initial,
          requests.map((r, n) => request(r.memberId, r.acceptedAt, n)),
          sizes,
        );
        const firstIssues = new Map<number, number>();
        for (const d of decisions) if (d.status === 'ISSUED' && !firstIssues.has(d.memberId)) firstIssues.set(d.memberId, d.issueNumber);
        const numbers = [...firstIssues.values()];
        expect(numbers.length).toBeLessThanOrEqual(totalQuantity);
        expect(numbers).toEqual(numbers.map((_, n) => issuedQuantity + n + 1));
        // Every later request of an issued member carries that member's one number.
        for (const d of decisions) if (d.status === 'ISSUED') expect(d.issueNumber).toBe(firstIssues.get(d.memberId));
      }),
      { numRuns: 500 },
    );
  });

  test('property: FCFS — no open-window request is issued after one was rejected SOLD_OUT', () => {
    fc.assert(
      fc.property(arbitraryRun, ({ totalQuantity, closeAt, requests, sizes }) => {
        const decisions = decideInBatches(
          { totalQuantity, issuedQuantity: 0, closeAt },
          requests.map((r, n) => request(r.memberId, r.acceptedAt, n)),
          sizes,
        );
        const issuedBefore = new Set<number>();
        let soldOutSeen = false;
        for (const d of decisions) {
          if (d.status === 'REJECTED' && d.reason === 'SOLD_OUT') soldOutSeen = true;
          if (d.status === 'ISSUED') {
            // After a SOLD_OUT, only members who already held a ticket may still read ISSUED.
            if (soldOutSeen) expect(issuedBefore.has(d.memberId)).toBe(true);
            issuedBefore.add(d.memberId);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  test('property: the pre-existing rows of a re-delivered batch are answered, not issued again', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 30 }), (total, alreadyDone) => {
        const members = Array.from({ length: 30 }, (_, n) => request(n + 1));
        const done = Math.min(alreadyDone, total);
        const first = decideBatch({ totalQuantity: total, issuedQuantity: 0, closeAt: null }, members.slice(0, done), []);
        // The worker crashed after committing `done` rows; the next holder sees them in the database.
        const again = decideBatch({ totalQuantity: total, issuedQuantity: done, closeAt: null }, members, first.newIssues);
        const once = decideBatch({ totalQuantity: total, issuedQuantity: 0, closeAt: null }, members, []);
        expect(again.decisions).toEqual(once.decisions);
        expect(again.newIssues).toEqual(once.newIssues.slice(done));
      }),
    );
  });
});
