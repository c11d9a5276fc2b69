import { describe, expect, test } from '@jest/globals';
import type { WatchSlot } from '@ticketing/queue';
import type { Principal } from '../../src/adapter/in/web/auth/tokenVerifier.js';
import { type Watch, WatchCaps } from '../../src/adapter/in/web/limits/watchCaps.js';

const member = (memberId: number): Principal => ({ memberId, role: 'member', subject: String(memberId) });
const staff: Principal = { memberId: null, role: 'staff', subject: 'staff-1' };

/** Redis's slots, kept in memory: `limit` per member, with switches for a Redis that errs or hangs. */
class FakeSlots {
  readonly taken = new Map<number, number>();
  readonly asked: Array<{ memberId: number; leaseMs: number }> = [];
  mode: 'up' | 'down' | 'hanging' = 'up';
  #hung: Array<() => void> = [];

  hold(memberId: number, limit: number, leaseMs: number): Promise<WatchSlot> {
    this.asked.push({ memberId, leaseMs });
    if (this.mode === 'down') return Promise.reject(new Error('Connection is closed.'));
    const grant = (): WatchSlot => {
      const now = this.taken.get(memberId) ?? 0;
      if (now >= limit) return { held: false, retryAfterMs: 7_500 };
      this.taken.set(memberId, now + 1);
      return { held: true, release: () => this.taken.set(memberId, (this.taken.get(memberId) ?? 1) - 1) };
    };
    if (this.mode === 'hanging') return new Promise((resolve) => this.#hung.push(() => resolve(grant())));
    return Promise.resolve(grant());
  }

  /** Redis answers the calls it sat on. */
  answerLate(): void {
    for (const answer of this.#hung.splice(0)) answer();
  }
}

const kinds = (watches: Watch[]) => watches.map((watch) => watch.kind);

describe('WATCH_PER_MEMBER', () => {
  test('the member past its limit is refused with the soonest lease as Retry-After; a release lets the next one wait', async () => {
    const slots = new FakeSlots();
    const caps = new WatchCaps({ slots, perMember: 2, perProcess: 0 });
    const first = await Promise.all([caps.admit(member(1), 10_000), caps.admit(member(1), 10_000), caps.admit(member(1), 10_000)]);
    expect(kinds(first)).toEqual(['wait', 'wait', 'limited']);
    expect(first[2]).toMatchObject({ retryAfterSeconds: 8, policy: '"watch";q=2', rateLimit: '"watch";r=0;t=8' });
    expect((await caps.admit(member(2), 10_000)).kind).toBe('wait');
    // The lease outlives the wait, so a slot whose process dies is not freed mid-wait.
    expect(slots.asked[0]!.leaseMs).toBeGreaterThan(10_000);

    const release = (first[0] as Extract<Watch, { kind: 'wait' }>).release;
    release();
    release(); // reported twice (answered, then closed): given back once
    expect(slots.taken.get(1)).toBe(1);
    expect(kinds([await caps.admit(member(1), 10_000), await caps.admit(member(1), 10_000)])).toEqual(['wait', 'limited']);
  });

  test('staff and admins are not members: only WATCH_MAX holds them back', async () => {
    const slots = new FakeSlots();
    const caps = new WatchCaps({ slots, perMember: 1, perProcess: 0 });
    expect(kinds(await Promise.all([1, 2, 3].map(() => caps.admit(staff, 5_000))))).toEqual(['wait', 'wait', 'wait']);
    expect(slots.asked).toHaveLength(0);
  });

  test('0 turns it off', async () => {
    const slots = new FakeSlots();
    const caps = new WatchCaps({ slots, perMember: 0, perProcess: 0 });
    expect(kinds(await Promise.all([1, 2, 3, 4].map(() => caps.admit(member(1), 5_000))))).toEqual(['wait', 'wait', 'wait', 'wait']);
    expect(slots.asked).toHaveLength(0);
  });

  test('with Redis down, this process counts each member itself', async () => {
    const slots = new FakeSlots();
    slots.mode = 'down';
    const caps = new WatchCaps({ slots, perMember: 2, perProcess: 0 });
    const watches = await Promise.all([caps.admit(member(1), 5_000), caps.admit(member(1), 5_000), caps.admit(member(1), 5_000)]);
    expect(kinds(watches)).toEqual(['wait', 'wait', 'limited']);
    (watches[0] as Extract<Watch, { kind: 'wait' }>).release();
    expect((await caps.admit(member(1), 5_000)).kind).toBe('wait');
  });

  test('a Redis too slow to answer in time is counted around, and a slot it grants late is given back', async () => {
    const slots = new FakeSlots();
    slots.mode = 'hanging';
    const caps = new WatchCaps({ slots, perMember: 1, perProcess: 0, redisTimeoutMs: 30 });
    const startedAt = performance.now();
    expect(kinds([await caps.admit(member(1), 5_000), await caps.admit(member(1), 5_000)])).toEqual(['wait', 'limited']);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    slots.answerLate();
    await new Promise((resolve) => setImmediate(resolve));
    expect(slots.taken.get(1)).toBe(0);
  });
});

describe('WATCH_MAX', () => {
  test('past it, polls are answered at once; each release makes room for one more wait', async () => {
    const caps = new WatchCaps({ slots: new FakeSlots(), perMember: 3, perProcess: 3 });
    const watches = await Promise.all([caps.admit(staff, 5_000), caps.admit(member(1), 5_000), caps.admit(member(2), 5_000)]);
    expect(kinds(watches)).toEqual(['wait', 'wait', 'wait']);
    expect(caps.held).toBe(3);
    expect(kinds([await caps.admit(member(3), 5_000), await caps.admit(staff, 5_000)])).toEqual(['answer-now', 'answer-now']);
    (watches[1] as Extract<Watch, { kind: 'wait' }>).release();
    expect(caps.held).toBe(2);
    expect(kinds([await caps.admit(member(3), 5_000), await caps.admit(staff, 5_000)])).toEqual(['wait', 'answer-now']);
  });

  test('concurrent admissions cannot overshoot it while the member checks are in flight', async () => {
    const caps = new WatchCaps({ slots: new FakeSlots(), perMember: 3, perProcess: 5 });
    const watches = await Promise.all(Array.from({ length: 20 }, (_, n) => caps.admit(member(n + 1), 5_000)));
    expect(kinds(watches).filter((kind) => kind === 'wait')).toHaveLength(5);
  });

  test('a member refused by its own limit takes no room from others', async () => {
    const caps = new WatchCaps({ slots: new FakeSlots(), perMember: 1, perProcess: 2 });
    expect((await caps.admit(member(1), 5_000)).kind).toBe('wait');
    expect((await caps.admit(member(1), 5_000)).kind).toBe('limited');
    expect(caps.held).toBe(1);
    expect((await caps.admit(member(2), 5_000)).kind).toBe('wait');
  });
});
