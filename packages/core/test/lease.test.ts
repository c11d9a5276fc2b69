import { describe, expect, test } from '@jest/globals';
import { Lease } from '../src/application/lease.js';
import type { Logger } from '../src/index.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeTicketLock } from './fakes/fakeTicketLock.js';
import { RecordingLogger } from './fakes/recordingLogger.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const TICKET = 7;
const TTL_MS = 300;

async function heldLease() {
  const clock = new FakeClock();
  const lock = new FakeTicketLock(TTL_MS);
  const token = (await lock.acquire(TICKET))!;
  const lease = new Lease({ lock, clock, log: silent }, { ticketId: TICKET, epoch: '0badcafe' }, token, clock.monotonicMs());
  return { clock, lock, lease, token };
}

const unreachable = () => {
  throw new Error('connect ECONNREFUSED');
};

describe('Lease', () => {
  test('renews at a third of the lock’s lifetime, and stays held while renewals succeed', async () => {
    const { clock, lock, lease } = await heldLease();
    await clock.advance(99);
    expect(lock.faults.calls('renew')).toBe(0);
    await clock.advance(1);
    expect(lock.faults.calls('renew')).toBe(1);
    await clock.advance(200);
    expect(lock.faults.calls('renew')).toBe(3);
    await clock.advance(10 * TTL_MS);
    expect(lock.faults.calls('renew')).toBe(33);
    expect(lease.lost).toBe(false);
    await clock.run(lease.end());
  });

  test('is lost as soon as a renewal answers that another holder has the lock, and renews no more', async () => {
    const { clock, lock, lease } = await heldLease();
    lock.takeOver(TICKET);
    await clock.advance(99);
    expect(lease.lost).toBe(false);
    await clock.advance(1);
    expect(lease.lost).toBe(true); // at the first renewal, long before the lifetime is up
    await clock.advance(10 * TTL_MS);
    expect(lock.faults.calls('renew')).toBe(1);
  });

  test('is lost once no renewal has succeeded for a whole lifetime (Redis unreachable)', async () => {
    const { clock, lock, lease } = await heldLease();
    await clock.advance(100); // renewed at 100
    for (let n = 0; n < 10; n += 1) lock.faults.onNext('renew', unreachable);
    await clock.advance(299);
    expect(lock.faults.calls('renew')).toBe(3);
    expect(lease.lost).toBe(false);
    await clock.advance(1);
    expect(lease.lost).toBe(true);
  });

  test('counts a renewal’s lifetime from when it was sent, not from when it was answered', async () => {
    const { clock, lock, lease } = await heldLease();
    lock.faults.onNext('renew', () => clock.sleep(50)); // sent at 100, answered at 150
    for (let n = 0; n < 10; n += 1) lock.faults.onNext('renew', unreachable);
    await clock.advance(399);
    expect(lease.lost).toBe(false);
    await clock.advance(1);
    expect(lease.lost).toBe(true);
  });

  test('end waits for a renewal in flight, releases the lock once and stops renewing', async () => {
    const { clock, lock, lease, token } = await heldLease();
    lock.faults.onNext('renew', () => clock.sleep(50));
    await clock.advance(120);
    const ended = lease.end();
    await clock.advance(10);
    expect(lock.releases).toEqual([]);
    await clock.advance(20);
    await clock.run(ended);
    expect(lock.releases).toEqual([[TICKET, token]]);
    await clock.run(lease.end());
    await clock.advance(10 * TTL_MS);
    expect(lock.releases).toEqual([[TICKET, token]]);
    expect(lock.faults.calls('renew')).toBe(1);
  });

  test('end does not release a lock it has lost', async () => {
    const { clock, lock, lease } = await heldLease();
    lock.takeOver(TICKET);
    await clock.advance(100);
    await clock.run(lease.end());
    expect(lock.releases).toEqual([]);
  });
  test('logs a takeover, a failed renewal and a failed release, with the ticket and the token or the error', async () => {
    const log = new RecordingLogger();
    const clock = new FakeClock();
    const lock = new FakeTicketLock(TTL_MS);
    const token = (await lock.acquire(TICKET))!;
    const lease = new Lease({ lock, clock, log }, { ticketId: TICKET, epoch: '0badcafe' }, token, clock.monotonicMs());
    const refused = new Error('connect ECONNREFUSED');
    lock.faults.onNext('renew', () => {
      throw refused;
    });
    await clock.advance(100);
    expect(lease.lost).toBe(false);
    const reset = new Error('connection reset');
    lock.faults.onNext('release', () => {
      throw reset;
    });
    await clock.run(lease.end());
    expect(log.entries).toEqual([
      { level: 'warn', message: 'ticket lock renewal failed', fields: { ticketId: TICKET, err: refused } },
      { level: 'warn', message: 'lock release failed; it expires by itself', fields: { ticketId: TICKET, err: reset } },
    ]);

    const takenLog = new RecordingLogger();
    const taken = new Lease({ lock, clock, log: takenLog }, { ticketId: TICKET, epoch: '0badcafe' }, token, clock.monotonicMs());
    lock.takeOver(TICKET);
    await clock.advance(100);
    expect(taken.lost).toBe(true);
    expect(takenLog.entries).toEqual([
      { level: 'warn', message: 'ticket lock taken over', fields: { ticketId: TICKET, fencingToken: token } },
    ]);
  });

  test('a lifetime under 3 ms still renews, every millisecond', async () => {
    const clock = new FakeClock();
    const lock = new FakeTicketLock(2);
    const token = (await lock.acquire(TICKET))!;
    const lease = new Lease({ lock, clock, log: silent }, { ticketId: TICKET, epoch: '0badcafe' }, token, clock.monotonicMs());
    await clock.advance(5);
    expect(lock.faults.calls('renew')).toBe(5);
    expect(lease.lost).toBe(false);
    await clock.run(lease.end());
  });
});
