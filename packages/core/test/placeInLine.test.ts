import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  type DecidedResult,
  drainTicket,
  estimatedWaitMs,
  type Logger,
  placeInLine,
  positionInLine,
  type TicketRef,
} from '../src/index.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeIssueQueue } from './fakes/fakeIssueQueue.js';
import { FakeTicketLock, idOf } from './fakes/fakeTicketLock.js';
import { FakeTicketStore, TEST_EPOCH } from './fakes/fakeTicketStore.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const TICKET = 1;
const REF: TicketRef = { ticketId: TICKET, epoch: TEST_EPOCH };

describe('position arithmetic', () => {
  test('requests ahead not yet decided, never negative; the wait is position + 1 decisions at the pace', () => {
    expect(positionInLine(5, 2)).toBe(3);
    expect(positionInLine(2, 2)).toBe(0);
    expect(positionInLine(2, 7)).toBe(0);
    expect(estimatedWaitMs(0, 4)).toBe(250);
    expect(estimatedWaitMs(9, 2000)).toBe(5);
    expect(estimatedWaitMs(3, null)).toBeNull();
    expect(estimatedWaitMs(3, 0)).toBeNull();
    expect(placeInLine({ sequence: 10, decided: 4, decidedPerSecond: 3 })).toEqual({ position: 6, estimatedWaitMs: 2333 });
  });
});

/**
 * The drain side as the Lua scripts keep the line: completeBatch counts a batch decided when it
 * leaves the queue. Completions can be refused (the lock was taken over), fail before writing,
 * or land with the reply lost; every call is followed by a look at every pending request's place.
 */
class LineUnderFaults extends FakeIssueQueue {
  calls = 0;
  readonly takeOverAt = new Set<number>();
  readonly failBeforeAt = new Set<number>();
  readonly replyLostAt = new Set<number>();
  thief: number | null = null;

  constructor(
    private readonly ticketLock: FakeTicketLock,
    now: () => number,
    private readonly look: () => void,
  ) {
    super(ticketLock, now);
  }

  override async completeBatch(
    ticket: TicketRef | number,
    token: number,
    results: readonly DecidedResult[],
    soldOut: boolean,
  ): Promise<boolean> {
    const call = ++this.calls;
    try {
      if (this.takeOverAt.has(call)) this.thief = this.ticketLock.takeOver(idOf(ticket));
      if (this.failBeforeAt.has(call)) throw new Error('redis connection lost before the write');
      const done = await super.completeBatch(ticket, token, results, soldOut);
      if (done && this.replyLostAt.has(call)) throw new Error('redis connection lost after the write');
      return done;
    } finally {
      this.look();
    }
  }
}

describe('place in line across takeovers and retries (G11)', () => {
  test('0..N-1 in arrival order before any decision, exact and never rising at every step, issue numbers in the same order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          requests: fc.integer({ min: 1, max: 30 }),
          stock: fc.integer({ min: 1, max: 35 }),
          batchSize: fc.integer({ min: 1, max: 6 }),
          takeOverAt: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }),
          failBeforeAt: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }),
          replyLostAt: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }),
        }),
        async ({ requests, stock, batchSize, takeOverAt, failBeforeAt, replyLostAt }) => {
          const clock = new FakeClock();
          const lock = new FakeTicketLock(3000);
          const store = new FakeTicketStore();
          const ids = Array.from({ length: requests }, (_, n) => `r${n + 1}`);
          const told = new Map<string, number>();
          const look = () => {
            const waiting = queue.waiting(TICKET);
            for (const requestId of ids) {
              const line = queue.line(TICKET, requestId);
              if (line === null) continue;
              const { position } = placeInLine(line);
              // Exact: the requests still queued ahead of it.
              expect(position).toBe(waiting.indexOf(requestId));
              expect(position).toBeLessThanOrEqual(told.get(requestId) ?? Number.POSITIVE_INFINITY);
              told.set(requestId, position);
            }
          };
          const queue = new LineUnderFaults(lock, () => clock.monotonicMs(), look);
          for (const call of takeOverAt) queue.takeOverAt.add(call);
          for (const call of failBeforeAt) queue.failBeforeAt.add(call);
          for (const call of replyLostAt) queue.replyLostAt.add(call);
          store.addTicket(TICKET, { totalQuantity: stock });
          store.addMembers(...ids.map((_, n) => n + 1));
          queue.enqueue(...ids.map((requestId, n) => ({ requestId, ticketId: TICKET, memberId: n + 1, acceptedAt: 0 })));

          look();
          expect(ids.map((requestId) => told.get(requestId))).toEqual(ids.map((_, n) => n));

          const settings = { batchSize, idleMs: 100, maxPollMs: 10, retryMinMs: 10, retryMaxMs: 40, resultTtlMs: 60_000 };
          const deps = { store, queue, lock, clock, log: silent, observer: { batchDecided: () => undefined }, settings };
          for (let attempt = 0; attempt < 10 && queue.waiting(TICKET).length > 0; attempt++) {
            const result = await clock.run(drainTicket(deps, REF, new AbortController().signal));
            if (result === 'LOST' && queue.thief !== null) {
              // The worker that took over dies at once; the ticket's lock is free for the next drain.
              await lock.release(REF, queue.thief);
              queue.thief = null;
            }
          }
          expect(queue.waiting(TICKET)).toEqual([]);
          const numbers = ids.map((requestId) => {
            const outcome = queue.results.get(requestId)!.outcome;
            return outcome.status === 'ISSUED' ? outcome.issueNumber : null;
          });
          expect(numbers).toEqual(ids.map((_, n) => (n < stock ? n + 1 : null)));
        },
      ),
      { numRuns: 150 },
    );
  });
});
