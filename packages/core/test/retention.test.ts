import { describe, expect, test } from '@jest/globals';
import {
  removalDue,
  removeEndedState,
  rowOf,
  type RetentionQueue,
  type StateRemoval,
  type StoredDrainState,
  type TicketRef,
} from '../src/index.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeTicketLock } from './fakes/fakeTicketLock.js';
import { FakeTicketStore, TEST_EPOCH, TEST_GENERATION } from './fakes/fakeTicketStore.js';
import { RecordingLogger } from './fakes/recordingLogger.js';

const TICKET = 3;
const TTL_MS = 60_000;
const ref: TicketRef = { ticketId: TICKET, epoch: TEST_EPOCH };
const state = (overrides: Partial<StoredDrainState> = {}): StoredDrainState => ({
  totalQuantity: 10,
  issuedQuantity: 0,
  closeAt: null,
  fencingToken: 0,
  generation: TEST_GENERATION,
  ...overrides,
});

describe('removalDue', () => {
  const now = 1_000_000;
  test('RESULT_TTL_S from now once the sale ended: the row is gone, or sold out (to the last ticket)', () => {
    expect(removalDue(null, now, TTL_MS)).toBe(now + TTL_MS);
    expect(removalDue(state({ issuedQuantity: 10 }), now, TTL_MS)).toBe(now + TTL_MS);
    expect(removalDue(state({ issuedQuantity: 10, closeAt: now + 5_000 }), now, TTL_MS)).toBe(now + TTL_MS);
  });

  test('an open sale: never while it never closes; RESULT_TTL_S after its close, or after now once closed', () => {
    expect(removalDue(state({ issuedQuantity: 9 }), now, TTL_MS)).toBeNull();
    expect(removalDue(state({ issuedQuantity: 9, closeAt: now + 5_000 }), now, TTL_MS)).toBe(now + 5_000 + TTL_MS);
    expect(removalDue(state({ closeAt: now - 5_000 }), now, TTL_MS)).toBe(now + TTL_MS);
  });
});

describe('rowOf', () => {
  test('the row the queue was made for, or null for another generation or no row', () => {
    const row = state();
    expect(rowOf(row, ref)).toBe(row);
    expect(rowOf(state({ generation: `feedf00d${'0'.repeat(32)}` }), ref)).toBeNull();
    expect(rowOf(null, ref)).toBeNull();
  });
});

/** A retention queue whose removeState answers `steps` in turn; every call is recorded in `calls`. */
class FakeRetentionQueue implements RetentionQueue {
  constructor(
    readonly calls: string[],
    private readonly steps: StateRemoval[],
  ) {}

  async scheduleRemoval(ticket: TicketRef, atMs: number): Promise<void> {
    this.calls.push(`schedule ${ticket.ticketId} ${atMs}`);
  }

  async unscheduleRemoval(ticket: TicketRef): Promise<void> {
    this.calls.push(`unschedule ${ticket.ticketId}`);
  }

  async dueRemovals(): Promise<TicketRef[]> {
    return [];
  }

  async removeState(ticket: TicketRef, fencingToken: number): Promise<StateRemoval> {
    this.calls.push(`remove ${ticket.ticketId} ${fencingToken}`);
    const step = this.steps.shift();
    if (!step) throw new Error('removeState called more often than planned');
    return step;
  }
}

function retention(steps: StateRemoval[] = []) {
  const calls: string[] = [];
  const clock = new FakeClock();
  const lock = new FakeTicketLock();
  const store = new FakeTicketStore();
  const queue = new FakeRetentionQueue(calls, steps);
  const log = new RecordingLogger();
  const release = lock.release.bind(lock);
  lock.release = (ticket, token) => {
    calls.push(`release ${token}`);
    return release(ticket, token);
  };
  const deps = {
    store: {
      loadDrainState: (ticketId: number) => store.loadDrainState(ticketId),
      markStateRemoved: async (ticketId: number, generation: string, at: Date) => {
        calls.push(`mark ${ticketId} ${generation === TEST_GENERATION ? 'this row' : generation} ${at.getTime() - clock.now().getTime()}`);
      },
    },
    queue,
    lock,
    clock,
    log,
    resultTtlMs: TTL_MS,
  };
  return { calls, clock, lock, store, log, remove: () => removeEndedState(deps, ref) };
}

describe('removeEndedState', () => {
  test('an ended sale: removed step by step under the lock, the row marked, the schedule dropped, the lock released', async () => {
    const r = retention(['MORE', 'MORE', 'REMOVED']);
    r.store.addTicket(TICKET, { totalQuantity: 2, issuedQuantity: 2 });

    expect(await r.remove()).toBe('REMOVED');
    expect(r.calls).toEqual(['remove 3 1', 'remove 3 1', 'remove 3 1', 'mark 3 this row 0', 'unschedule 3', 'release 1']);
    expect(r.log.lines('ended ticket state removed from Redis').map((entry) => entry.fields)).toEqual([
      { ticketId: TICKET, epoch: TEST_EPOCH },
    ]);
  });

  test('a sale that closes exactly now has ended', async () => {
    const r = retention(['REMOVED']);
    r.store.addTicket(TICKET, { totalQuantity: 10, closeAt: r.clock.now().getTime() });
    expect(await r.remove()).toBe('REMOVED');
  });

  test('a row that is gone (or another generation’s): the state is removed, no row is marked', async () => {
    const gone = retention(['REMOVED']);
    expect(await gone.remove()).toBe('REMOVED');
    expect(gone.calls).toEqual(['remove 3 1', 'unschedule 3', 'release 1']);

    const reused = retention(['REMOVED']);
    reused.store.addTicket(TICKET, { totalQuantity: 10, generation: `feedf00d${'0'.repeat(32)}` });
    expect(await reused.remove()).toBe('REMOVED');
    expect(reused.calls).toEqual(['remove 3 1', 'unschedule 3', 'release 1']);
  });

  test('a request that got in first stops the removal (QUEUED), a lost lock too (LOST): nothing marked or unscheduled', async () => {
    for (const step of ['QUEUED', 'LOST'] as const) {
      const r = retention(['MORE', step]);
      r.store.addTicket(TICKET, { totalQuantity: 1, issuedQuantity: 1 });
      expect(await r.remove()).toBe(step);
      expect(r.calls).toEqual(['remove 3 1', 'remove 3 1', 'release 1']);
    }
  });

  test('a sale that closes later is looked at again RESULT_TTL_S after its close; one open for good is unscheduled', async () => {
    const later = retention();
    const closeAt = later.clock.now().getTime() + 3_600_000;
    later.store.addTicket(TICKET, { totalQuantity: 10, closeAt });
    expect(await later.remove()).toBe('RESCHEDULED');
    expect(later.calls).toEqual([`schedule 3 ${closeAt + TTL_MS}`, 'release 1']);

    const open = retention();
    open.store.addTicket(TICKET, { totalQuantity: 10 });
    expect(await open.remove()).toBe('RESCHEDULED');
    expect(open.calls).toEqual(['unschedule 3', 'release 1']);
  });

  test('BUSY while another holder has the lock: nothing read or removed', async () => {
    const r = retention();
    r.lock.takeOver(TICKET);
    expect(await r.remove()).toBe('BUSY');
    expect(r.calls).toEqual([]);
    expect(r.store.faults.calls('loadDrainState')).toBe(0);
  });

  test('a release that fails is logged, and the removal’s answer stands', async () => {
    const r = retention(['REMOVED']);
    const failure = new Error('connection reset');
    r.lock.faults.onNext('release', () => {
      throw failure;
    });
    expect(await r.remove()).toBe('REMOVED');
    expect(r.log.lines('lock release failed; it expires by itself')).toEqual([
      { level: 'warn', message: 'lock release failed; it expires by itself', fields: { ticketId: TICKET, err: failure } },
    ]);
  });
});
