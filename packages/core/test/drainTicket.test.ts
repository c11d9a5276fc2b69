import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { decideBatch, drainTicket, type BatchReport, type DrainDeps, type QueuedRequest } from '../src/index.js';
import { FakeClock } from './fakes/fakeClock.js';
import { FakeIssueQueue } from './fakes/fakeIssueQueue.js';
import { FakeTicketLock } from './fakes/fakeTicketLock.js';
import { FakeTicketStore, TEST_EPOCH } from './fakes/fakeTicketStore.js';
import { RecordingLogger } from './fakes/recordingLogger.js';

/**
 * The drain loop on in-memory fakes of its ports and a fake clock: every path in milliseconds,
 * including the waits, backoffs and lock lifetimes. test/integration/drain.test.ts runs the same
 * loop on MariaDB and Redis.
 */
const TICKET = 1;
const settings = { batchSize: 3, idleMs: 1000, maxPollMs: 50, retryMinMs: 50, retryMaxMs: 400, resultTtlMs: 60_000 };

function world({ ttlMs = 3000, idleMs = settings.idleMs, batchSize = settings.batchSize } = {}) {
  const clock = new FakeClock();
  const log = new RecordingLogger();
  const lock = new FakeTicketLock(ttlMs);
  const queue = new FakeIssueQueue(lock, () => clock.monotonicMs());
  const store = new FakeTicketStore();
  const reports: BatchReport[] = [];
  const deps: DrainDeps = {
    store,
    queue,
    lock,
    clock,
    log,
    observer: { batchDecided: (report) => reports.push(report) },
    settings: { ...settings, idleMs, batchSize },
  };
  const drain = (stop = new AbortController().signal) => clock.run(drainTicket(deps, { ticketId: TICKET, epoch: TEST_EPOCH }, stop));
  return { clock, lock, queue, store, reports, log, drain };
}

const request = (memberId: number): QueuedRequest => ({ requestId: `r${memberId}`, ticketId: TICKET, memberId, acceptedAt: 0 });
const requests = (...memberIds: number[]) => memberIds.map(request);
const ids = (...memberIds: number[]) => memberIds.map((memberId) => `r${memberId}`);

/** Each request's stored answer, short: "ISSUED 3", "REJECTED SOLD_OUT", "PENDING". */
function answers(queue: FakeIssueQueue, requestIds: string[]): string[] {
  return requestIds.map((requestId) => {
    const outcome = queue.results.get(requestId)?.outcome;
    if (outcome === undefined) return 'PENDING';
    return outcome.status === 'ISSUED' ? `ISSUED ${outcome.issueNumber}` : `${outcome.status} ${outcome.reason}`;
  });
}

describe('drainTicket', () => {
  test('drains in queue order, in batches, numbering while stock lasts, then retires after idleMs', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 5 });
    w.store.addMembers(1, 2, 3, 4, 5, 6, 7);
    w.queue.enqueue(...requests(1, 2, 3, 4, 5, 6, 7));

    const start = w.clock.now().getTime();
    expect(await w.drain()).toBe('DRAINED');
    expect(w.queue.peeks.filter((batch) => batch.length > 0)).toEqual([ids(1, 2, 3), ids(4, 5, 6), ids(7)]);
    expect(answers(w.queue, ids(1, 2, 3, 4, 5, 6, 7))).toEqual([
      'ISSUED 1',
      'ISSUED 2',
      'ISSUED 3',
      'ISSUED 4',
      'ISSUED 5',
      'REJECTED SOLD_OUT',
      'REJECTED SOLD_OUT',
    ]);
    const rows = w.store.rows(TICKET);
    expect(ids(1, 2, 3, 4, 5).map((id) => w.queue.results.get(id)?.outcome)).toEqual(
      rows.map((row) => ({ status: 'ISSUED', issueNumber: row.issueNumber, memberTicketId: row.id, decidedAt: start })),
    );
    expect(w.queue.soldOut.has(TICKET)).toBe(true);
    // The last batch was done at 0: retired once, after idleMs and within one poll of it.
    expect(w.queue.faults.calls('retireIfEmpty')).toBe(1);
    expect(w.queue.retirements[0]).toBeGreaterThanOrEqual(settings.idleMs);
    expect(w.queue.retirements[0]).toBeLessThanOrEqual(settings.idleMs + settings.maxPollMs);
    expect(w.reports.map((report) => report.outcomes.length)).toEqual([3, 3, 1]);
    expect(w.lock.releases).toEqual([[TICKET, 1]]);
  });

  test('a request that arrives while idle is drained, and the idle time starts again', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 5 });
    w.store.addMembers(1, 2);
    w.queue.enqueue(request(1));
    // The first retirement finds the queue no longer empty: a request arrived meanwhile.
    w.queue.faults.onNext('retireIfEmpty', () => w.queue.enqueue(request(2)));

    expect(await w.drain()).toBe('DRAINED');
    expect(answers(w.queue, ids(1, 2))).toEqual(['ISSUED 1', 'ISSUED 2']);
    expect(w.queue.faults.calls('retireIfEmpty')).toBe(2);
    expect(w.queue.retirements[0]).toBeGreaterThanOrEqual(2 * settings.idleMs);
  });

  test('a commit refused as stale: the ticket is read again and the same batch decided anew, at once', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    w.store.addMembers(1, 2, 3, 90, 91);
    w.queue.enqueue(...requests(1, 2, 3));
    const times: number[] = [];
    // Between this holder's read and its commit, another commit lands and moves issued_quantity.
    w.store.faults.onNext('commitBatch', () => {
      times.push(w.clock.monotonicMs());
      w.store.commitElsewhere(TICKET, 0, [90, 91]);
    });
    w.store.faults.onNext('commitBatch', () => void times.push(w.clock.monotonicMs()));

    expect(await w.drain()).toBe('DRAINED');
    expect(w.store.commits.map(({ kind, commit }) => [kind, commit.expectedIssuedQuantity])).toEqual([
      ['STALE', 0],
      ['COMMITTED', 2],
    ]);
    expect(times).toEqual([0, 0]);
    expect(w.store.faults.calls('loadDrainState')).toBe(2);
    expect(w.queue.peeks.filter((batch) => batch.length > 0)).toEqual([ids(1, 2, 3), ids(1, 2, 3)]);
    expect(answers(w.queue, ids(1, 2, 3))).toEqual(['ISSUED 3', 'ISSUED 4', 'ISSUED 5']);
  });

  test('a stale commit while the lock is still held: nothing completed, the batch stays queued, the ticket is read again', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    w.store.addMembers(1, 2, 90);
    w.queue.enqueue(...requests(1, 2));
    w.store.faults.onNext('commitBatch', () => w.store.commitElsewhere(TICKET, 0, [90]));
    // What the holder left behind after its refused commit, seen when it commits again.
    let afterStale: unknown;
    w.store.faults.onNext('commitBatch', () => {
      afterStale = {
        holdsLock: w.lock.holds(TICKET, 1),
        at: w.clock.monotonicMs(),
        waiting: w.queue.waiting(TICKET),
        completions: w.queue.faults.calls('completeBatch'),
        stored: w.queue.results.size,
        reports: w.reports.length,
        reads: w.store.faults.calls('loadDrainState'),
        decidedFrom: w.store.ticket(TICKET)?.issuedQuantity,
      };
    });

    expect(await w.drain()).toBe('DRAINED');
    expect(afterStale).toEqual({
      holdsLock: true,
      at: 0,
      waiting: ids(1, 2),
      completions: 0,
      stored: 0,
      reports: 0,
      reads: 2,
      decidedFrom: 1,
    });
    expect(
      w.store.commits.map(({ kind, commit }) => [kind, commit.expectedIssuedQuantity, commit.issues.map((i) => i.issueNumber)]),
    ).toEqual([
      ['STALE', 0, [1, 2]],
      ['COMMITTED', 1, [2, 3]],
    ]);
    // Every answer is a committed row: none comes from the refused commit.
    const rows = w.store.rows(TICKET).filter((row) => row.memberId !== 90);
    expect(ids(1, 2).map((id) => w.queue.results.get(id)?.outcome)).toEqual(
      rows.map((row) => expect.objectContaining({ status: 'ISSUED', issueNumber: row.issueNumber, memberTicketId: row.id })),
    );
    expect(w.queue.faults.calls('completeBatch')).toBe(1);
    expect(w.reports).toHaveLength(1);
  });

  test('a conflict that persists: one immediate retry, then backoff doubling from retryMinMs', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    w.store.addMembers(1, 90, 91, 92);
    w.queue.enqueue(request(1));
    const times: number[] = [];
    for (const other of [90, 91, 92]) {
      w.store.faults.onNext('commitBatch', () => {
        times.push(w.clock.monotonicMs());
        w.store.commitElsewhere(TICKET, 0, [other]);
      });
    }
    w.store.faults.onNext('commitBatch', () => void times.push(w.clock.monotonicMs()));

    expect(await w.drain()).toBe('DRAINED');
    expect(w.store.commits.map(({ kind }) => kind)).toEqual(['STALE', 'STALE', 'STALE', 'COMMITTED']);
    expect(times).toEqual([0, 0, 50, 150]);
    expect(answers(w.queue, ids(1))).toEqual(['ISSUED 4']);
  });

  test('an error retries the same batch, in the same order, with a backoff doubling up to retryMaxMs', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    w.store.addMembers(1, 2, 3, 4);
    w.queue.enqueue(...requests(3, 1, 2, 4));
    const times: number[] = [];
    const asked: number[][] = [];
    for (let n = 0; n < 6; n += 1) {
      w.store.faults.onNext('readBatchMembers', () => {
        times.push(w.clock.monotonicMs());
        if (n < 5) throw new Error('connection lost');
      });
    }
    const read = w.store.readBatchMembers.bind(w.store);
    w.store.readBatchMembers = (ticketId, memberIds) => {
      asked.push([...memberIds]);
      return read(ticketId, memberIds);
    };

    expect(await w.drain()).toBe('DRAINED');
    expect(times).toEqual([0, 50, 150, 350, 750, 1150]);
    expect(asked.slice(0, 6)).toEqual(Array.from({ length: 6 }, () => [3, 1, 2]));
    expect(w.queue.peeks.filter((batch) => batch.length > 0).slice(0, 6)).toEqual(Array.from({ length: 6 }, () => ids(3, 1, 2)));
    expect(w.store.faults.calls('loadDrainState')).toBeGreaterThanOrEqual(6); // read again after each error
    expect(answers(w.queue, ids(3, 1, 2, 4))).toEqual(['ISSUED 1', 'ISSUED 2', 'ISSUED 3', 'ISSUED 4']);
  });

  test('an error after the commit: the batch stays queued and the retry answers the committed rows', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    w.store.addMembers(1, 2);
    w.queue.enqueue(...requests(1, 2));
    w.queue.faults.onNext('completeBatch', () => {
      expect(w.queue.waiting(TICKET)).toEqual(ids(1, 2));
      throw new Error('redis connection lost');
    });

    expect(await w.drain()).toBe('DRAINED');
    expect(w.store.commits.map(({ kind }) => kind)).toEqual(['COMMITTED']);
    expect(answers(w.queue, ids(1, 2))).toEqual(['ISSUED 1', 'ISSUED 2']);
    expect(w.queue.results.get('r2')?.outcome).toMatchObject({ memberTicketId: w.store.rows(TICKET)[1]!.id });
  });

  test('a lock lost in the middle of a batch: LOST, nothing completed, and the next holder answers what was committed', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    w.store.addMembers(1, 2, 3, 4);
    w.queue.enqueue(...requests(1, 2, 3, 4));
    let thief = 0;
    w.store.faults.onNext('commitBatch', () => {
      thief = w.lock.takeOver(TICKET);
    });

    expect(await w.drain()).toBe('LOST');
    expect(w.queue.waiting(TICKET)).toEqual(ids(1, 2, 3, 4));
    expect(w.queue.results.size).toBe(0);
    expect(w.reports).toEqual([]);

    await w.lock.release(TICKET, thief);
    expect(await w.drain()).toBe('DRAINED');
    expect(answers(w.queue, ids(1, 2, 3, 4))).toEqual(['ISSUED 1', 'ISSUED 2', 'ISSUED 3', 'ISSUED 4']);
    expect(w.store.rows(TICKET).map((row) => row.issueNumber)).toEqual([1, 2, 3, 4]);
  });

  test('a holder that wakes inside its retirement with its lease gone reports LOST, not DRAINED', async () => {
    const w = world({ ttlMs: 300 });
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    // Paused (GC, SIGSTOP) inside the retirement while another worker takes the lock.
    w.queue.faults.onNext('retireIfEmpty', () => {
      w.lock.takeOver(TICKET);
      return w.clock.sleep(400);
    });

    expect(await w.drain()).toBe('LOST');
    expect(w.lock.releases).toEqual([]);
  });

  test('raises the fence when the database’s last token is ahead of the lock’s (Redis lost its counter)', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10, fencingToken: 41 });
    w.store.addMembers(1);
    w.queue.enqueue(request(1));

    expect(await w.drain()).toBe('DRAINED');
    expect(w.store.commits.map(({ kind, commit }) => [kind, commit.fencingToken])).toEqual([['COMMITTED', 42]]);
    expect(w.store.ticket(TICKET)?.fencingToken).toBe(42);
    expect(w.lock.releases).toEqual([[TICKET, 42]]);
  });

  test('a fence that cannot be raised (the lock is gone) ends LOST before any batch', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10, fencingToken: 41 });
    w.queue.enqueue(request(1));
    w.lock.faults.onNext('raiseFence', () => void w.lock.takeOver(TICKET));

    expect(await w.drain()).toBe('LOST');
    expect(w.queue.faults.calls('peekBatch')).toBe(0);
  });

  test('a ticket that does not exist: its batch is answered FAILED TICKET_NOT_FOUND', async () => {
    const w = world();
    w.queue.enqueue(...requests(1, 2));

    expect(await w.drain()).toBe('DRAINED');
    expect(answers(w.queue, ids(1, 2))).toEqual(['FAILED TICKET_NOT_FOUND', 'FAILED TICKET_NOT_FOUND']);
    expect(w.store.commits).toEqual([]);
    expect(w.queue.soldOut.size).toBe(0);
  });

  test('retention: a drained ticket whose sale ended is scheduled for removal resultTtlMs after the drain ends', async () => {
    const soldOut = world();
    soldOut.store.addTicket(TICKET, { totalQuantity: 1 });
    soldOut.store.addMembers(1, 2);
    soldOut.queue.enqueue(...requests(1, 2));
    expect(await soldOut.drain()).toBe('DRAINED');
    const endedAt = soldOut.clock.now().getTime();
    expect(soldOut.queue.removals.get(TICKET)).toBe(endedAt + settings.resultTtlMs);

    const open = world();
    open.store.addTicket(TICKET, { totalQuantity: 10 });
    open.store.addMembers(1);
    open.queue.enqueue(request(1));
    expect(await open.drain()).toBe('DRAINED');
    expect(open.queue.removals.size).toBe(0);

    const closesLater = world();
    const closeAt = closesLater.clock.now().getTime() + 3_600_000;
    closesLater.store.addTicket(TICKET, { totalQuantity: 10, closeAt });
    closesLater.store.addMembers(1);
    closesLater.queue.enqueue(request(1));
    expect(await closesLater.drain()).toBe('DRAINED');
    expect(closesLater.queue.removals.get(TICKET)).toBe(closeAt + settings.resultTtlMs);

    const gone = world();
    gone.queue.enqueue(request(1));
    expect(await gone.drain()).toBe('DRAINED');
    expect(gone.queue.removals.get(TICKET)).toBe(gone.clock.now().getTime() + settings.resultTtlMs);
  });

  test('a row with the same id but another generation (the database was reset): its queue is not decided from it', async () => {
    const w = world();
    // Its fence is far above the queue's tokens: were the row taken for the queue's, the lock would be raised.
    w.store.addTicket(TICKET, { totalQuantity: 10, fencingToken: 1000, generation: `feedf00d${'1'.repeat(32)}` });
    w.queue.enqueue(...requests(1, 2));

    expect(await w.drain()).toBe('DRAINED');
    expect(answers(w.queue, ids(1, 2))).toEqual(['FAILED TICKET_NOT_FOUND', 'FAILED TICKET_NOT_FOUND']);
    expect(w.store.commits).toEqual([]);
    expect(w.store.ticket(TICKET)).toMatchObject({ issuedQuantity: 0, fencingToken: 1000 });
  });

  test('a member that does not exist: FAILED MEMBER_NOT_FOUND, with its admission given back', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    w.store.addMembers(1, 3);
    w.queue.enqueue(...requests(1, 2));
    w.queue.enqueueLost(TICKET, 'r-lost');
    w.queue.enqueue(request(3));

    expect(await w.drain()).toBe('DRAINED');
    expect(answers(w.queue, ['r1', 'r2', 'r-lost', 'r3'])).toEqual([
      'ISSUED 1',
      'FAILED MEMBER_NOT_FOUND',
      'FAILED QUEUE_DATA_LOST',
      'ISSUED 2',
    ]);
    expect(w.queue.results.get('r2')?.releasedMemberId).toBe(2);
    expect(w.queue.results.get('r-lost')).not.toHaveProperty('releasedMemberId');
    expect(w.queue.results.get('r1')).not.toHaveProperty('releasedMemberId');
  });

  test('BUSY when another holder has the lock; STOPPED, with the lock released, when asked to stop', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    const other = w.lock.takeOver(TICKET);
    expect(await w.drain()).toBe('BUSY');
    await w.lock.release(TICKET, other);

    const stop = new AbortController();
    void w.clock.sleep(300).then(() => stop.abort());
    expect(await w.drain(stop.signal)).toBe('STOPPED');
    expect(w.clock.monotonicMs()).toBe(300);
    expect(w.lock.releases.at(-1)).toEqual([TICKET, other + 1]);
  });
  test('logs the lock, a raised fence, each batch and the end, with the ticket and the token; a fence equal to the lock’s token is raised too', async () => {
    const w = world();
    // The database's last token equals the one the lock hands out: committing with it again would
    // not be newer than the last commit.
    w.store.addTicket(TICKET, { totalQuantity: 10, fencingToken: 1 });
    w.store.addMembers(1, 2);
    w.queue.enqueue(...requests(1, 2));

    expect(await w.drain()).toBe('DRAINED');
    expect(w.store.commits.map(({ kind, commit }) => [kind, commit.fencingToken])).toEqual([['COMMITTED', 2]]);
    expect(w.log.entries.map(({ level, message, fields }) => [level, message, fields])).toEqual([
      ['info', 'ticket lock acquired', { ticketId: TICKET, epoch: TEST_EPOCH, fencingToken: 1 }],
      ['warn', 'fencing token raised', { ticketId: TICKET, fencingToken: 2, committedToken: 1 }],
      ['debug', 'batch decided', { ticketId: TICKET, batchSize: 2, issuedQuantity: 2 }],
      ['info', 'ticket drain ended', { ticketId: TICKET, epoch: TEST_EPOCH, fencingToken: 2, result: 'DRAINED' }],
    ]);
  });

  test('logs a commit refused as stale and a failed batch with its error, failure count and pause', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    w.store.addMembers(1, 90);
    w.queue.enqueue(request(1));
    const failure = new Error('connection lost');
    w.store.faults.onNext('commitBatch', () => w.store.commitElsewhere(TICKET, 0, [90]));
    w.store.faults.onNext('readBatchMembers', () => undefined);
    w.store.faults.onNext('readBatchMembers', () => {
      throw failure;
    });

    expect(await w.drain()).toBe('DRAINED');
    expect(answers(w.queue, ids(1))).toEqual(['ISSUED 2']);
    expect(w.log.lines('commit refused as stale')).toEqual([
      { level: 'warn', message: 'commit refused as stale', fields: { ticketId: TICKET, fencingToken: 1 } },
    ]);
    expect(w.log.lines('batch failed; retrying the same batch')).toEqual([
      {
        level: 'error',
        message: 'batch failed; retrying the same batch',
        fields: { ticketId: TICKET, err: failure, failures: 1, retryInMs: 50 },
      },
    ]);
  });

  test('a ticket that does not exist is drained without an error, and its batch sets no sold-out flag', async () => {
    const w = world();
    w.queue.enqueue(...requests(1, 2));

    expect(await w.drain()).toBe('DRAINED');
    expect(w.log.entries.filter((entry) => entry.level === 'error' || entry.level === 'warn')).toEqual([]);
    expect(w.log.lines('batch decided').map((entry) => entry.fields)).toEqual([
      { ticketId: TICKET, batchSize: 2, issuedQuantity: undefined },
    ]);
    expect(w.queue.faults.calls('completeBatch')).toBe(1);
    expect(w.queue.soldOut.size).toBe(0);
  });

  test('the sold-out flag goes with the batch that issues the last ticket, not with earlier ones', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 5 });
    w.store.addMembers(1, 2, 3, 4, 5);
    w.queue.enqueue(...requests(1, 2, 3, 4, 5));
    const flagBefore: boolean[] = [];
    const complete = w.queue.completeBatch.bind(w.queue);
    w.queue.completeBatch = (ticket, fencingToken, results, soldOut) => {
      flagBefore.push(soldOut);
      return complete(ticket, fencingToken, results, soldOut);
    };

    expect(await w.drain()).toBe('DRAINED');
    expect(flagBefore).toEqual([false, true]);
    expect(w.queue.soldOut.has(TICKET)).toBe(true);
  });

  test('a lease lost during a failing batch: LOST at the next turn, before reading or peeking again', async () => {
    const w = world({ ttlMs: 300 });
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    w.store.addMembers(1);
    w.queue.enqueue(request(1));
    // Another worker takes the lock while this one is stuck in a read that then fails.
    w.store.faults.onNext('readBatchMembers', async () => {
      w.lock.takeOver(TICKET);
      await w.clock.sleep(400);
      throw new Error('connection lost');
    });

    expect(await w.drain()).toBe('LOST');
    expect(w.store.faults.calls('loadDrainState')).toBe(1);
    expect(w.queue.faults.calls('peekBatch')).toBe(1);
    expect(w.queue.results.size).toBe(0);
    expect(w.lock.releases).toEqual([]);
    expect(w.log.lines('ticket drain ended').map((entry) => entry.fields.result)).toEqual(['LOST']);
  });

  test('a peek refused because the lock moved on ends LOST at once, without an error or a retry', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    w.store.addMembers(1);
    w.queue.enqueue(request(1));
    w.queue.faults.onNext('peekBatch', () => undefined);
    w.queue.faults.onNext('peekBatch', () => void w.lock.takeOver(TICKET));

    expect(await w.drain()).toBe('LOST');
    expect(answers(w.queue, ids(1))).toEqual(['ISSUED 1']);
    expect(w.clock.monotonicMs()).toBe(0);
    expect(w.store.faults.calls('loadDrainState')).toBe(1);
    expect(w.log.entries.filter((entry) => entry.level === 'error')).toEqual([]);
  });

  test('retires as soon as the queue has been empty for idleMs, not a poll later', async () => {
    // Polls at 0, 1, 3, 7, 15, 31, 63: the seventh look is exactly idleMs after the first.
    const w = world({ idleMs: 63 });
    w.store.addTicket(TICKET, { totalQuantity: 10 });

    expect(await w.drain()).toBe('DRAINED');
    expect(w.queue.retirements).toEqual([63]);
  });

  test('a commit that answers no row for an issued member fails the batch, which is retried and answered from the committed rows', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    w.store.addMembers(1);
    w.queue.enqueue(request(1));
    const commit = w.store.commitBatch.bind(w.store);
    let withoutRows = true;
    w.store.commitBatch = async (batch) => {
      const result = await commit(batch);
      if (!withoutRows || result.kind !== 'COMMITTED') return result;
      withoutRows = false;
      return { kind: 'COMMITTED', issues: [] };
    };

    expect(await w.drain()).toBe('DRAINED');
    const failures = w.log.lines('batch failed; retrying the same batch');
    expect(failures.map((entry) => (entry.fields.err as Error).message)).toEqual(['no member_ticket row for issued member 1']);
    expect(w.queue.faults.calls('completeBatch')).toBe(1);
    expect(w.queue.results.get('r1')?.outcome).toMatchObject({
      status: 'ISSUED',
      issueNumber: 1,
      memberTicketId: w.store.rows(TICKET)[0]!.id,
    });
  });

  test('each batch is reported with its outcomes, the accepted times it knows and the time it was decided', async () => {
    const w = world();
    w.store.addTicket(TICKET, { totalQuantity: 10 });
    w.store.addMembers(1, 3);
    w.queue.enqueue({ ...request(1), acceptedAt: 5 });
    w.queue.enqueueLost(TICKET, 'r-lost');
    w.queue.enqueue({ ...request(3), acceptedAt: 7 });
    const asked: number[][] = [];
    const read = w.store.readBatchMembers.bind(w.store);
    w.store.readBatchMembers = (ticketId, memberIds) => {
      asked.push([...memberIds]);
      return read(ticketId, memberIds);
    };
    // The commit takes time: the report carries the decision's time, not the time it is made.
    w.store.faults.onNext('commitBatch', () => w.clock.sleep(25));
    const decidedAt = w.clock.now().getTime();

    expect(await w.drain()).toBe('DRAINED');
    expect(asked).toEqual([[1, 3]]); // the lost entry has no member to look up
    const [first, second] = w.store.rows(TICKET);
    expect(w.reports).toEqual([
      {
        ticketId: TICKET,
        outcomes: [
          { status: 'ISSUED', issueNumber: 1, memberTicketId: first!.id, decidedAt },
          { status: 'FAILED', reason: 'QUEUE_DATA_LOST', decidedAt },
          { status: 'ISSUED', issueNumber: 2, memberTicketId: second!.id, decidedAt },
        ],
        acceptedAts: [5, 7],
        decidedAt,
      },
    ]);
  });
  describe('reading the next batch ahead while one commits', () => {
    /** What the drainer asks its ports, in order: peeks (with how many they skip), reads, commits, completions. */
    function record(w: ReturnType<typeof world>): string[] {
      const events: string[] = [];
      const { queue, store } = w;
      const peek = queue.peekBatch.bind(queue);
      queue.peekBatch = async (ticket, token, max, behind = []) => {
        const batch = await peek(ticket, token, max, behind);
        events.push(`peek +${behind.length}: ${batch?.map((entry) => entry.requestId).join(',')}`);
        return batch;
      };
      const read = store.readBatchMembers.bind(store);
      store.readBatchMembers = async (ticketId, memberIds) => {
        events.push(`read ${memberIds.join(',')}`);
        return read(ticketId, memberIds);
      };
      const commit = store.commitBatch.bind(store);
      store.commitBatch = async (batch) => {
        events.push(`commit from ${batch.expectedIssuedQuantity}`);
        const result = await commit(batch);
        events.push(`committed ${result.kind}`);
        return result;
      };
      const complete = queue.completeBatch.bind(queue);
      queue.completeBatch = async (ticket, token, results, soldOut) => {
        events.push(`complete ${results.map((result) => result.requestId).join(',')}`);
        return complete(ticket, token, results, soldOut);
      };
      return events;
    }

    test('the next batch is peeked and its members read before the commit ahead of it resolves, and decided from the state after it', async () => {
      const w = world();
      w.store.addTicket(TICKET, { totalQuantity: 10 });
      w.store.addMembers(1, 2, 3, 4, 5, 6, 7);
      w.queue.enqueue(...requests(1, 2, 3, 4, 5, 6, 7));
      const events = record(w);
      // Each commit takes 25 ms: the reads ahead happen meanwhile.
      for (let n = 0; n < 3; n++) w.store.faults.onNext('commitBatch', () => w.clock.sleep(25));

      expect(await w.drain()).toBe('DRAINED');
      expect(events.slice(0, 14)).toEqual([
        'peek +0: r1,r2,r3',
        'read 1,2,3',
        'commit from 0',
        'peek +3: r4,r5,r6',
        'read 4,5,6',
        'committed COMMITTED',
        'complete r1,r2,r3',
        'commit from 3',
        'peek +3: r7',
        'read 7',
        'committed COMMITTED',
        'complete r4,r5,r6',
        // A short batch was the whole queue when peeked: nothing is read ahead behind it.
        'commit from 6',
        'committed COMMITTED',
      ]);
      expect(events[14]).toBe('complete r7');
      expect(events.slice(15).every((event) => event === 'peek +0: ')).toBe(true);
      expect(answers(w.queue, ids(1, 2, 3, 4, 5, 6, 7))).toEqual([1, 2, 3, 4, 5, 6, 7].map((issueNumber) => `ISSUED ${issueNumber}`));
      expect(w.store.rows(TICKET).map((row) => row.memberId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    test('the batch read ahead is decided from the state after the one before it, up to sold out', async () => {
      const w = world();
      w.store.addTicket(TICKET, { totalQuantity: 4 });
      w.store.addMembers(1, 2, 3, 4, 5, 6, 7);
      w.queue.enqueue(...requests(1, 2, 3, 4, 5, 6, 7));
      const events = record(w);

      expect(await w.drain()).toBe('DRAINED');
      expect(events.filter((event) => event.startsWith('commit from'))).toEqual(['commit from 0', 'commit from 3']);
      expect(answers(w.queue, ids(1, 2, 3, 4, 5, 6, 7))).toEqual([
        'ISSUED 1',
        'ISSUED 2',
        'ISSUED 3',
        'ISSUED 4',
        'REJECTED SOLD_OUT',
        'REJECTED SOLD_OUT',
        'REJECTED SOLD_OUT',
      ]);
      expect(w.queue.soldOut.has(TICKET)).toBe(true);
    });

    test('a failed commit drops the batch read ahead: the same batch is peeked from the head and retried first, in order', async () => {
      const w = world();
      w.store.addTicket(TICKET, { totalQuantity: 10 });
      w.store.addMembers(1, 2, 3, 4, 5, 6, 7);
      w.queue.enqueue(...requests(1, 2, 3, 4, 5, 6, 7));
      const events = record(w);
      w.store.faults.onNext('commitBatch', () => undefined);
      // The commit of the batch that was read ahead fails after its own read ahead (r7) was made.
      w.store.faults.onNext('commitBatch', async () => {
        await w.clock.sleep(25);
        throw new Error('connection lost');
      });

      expect(await w.drain()).toBe('DRAINED');
      const failed = events.indexOf('committed COMMITTED', events.indexOf('commit from 3')) - 1;
      expect(events.slice(0, 12)).toEqual([
        'peek +0: r1,r2,r3',
        'read 1,2,3',
        'commit from 0',
        'peek +3: r4,r5,r6',
        'read 4,5,6',
        'committed COMMITTED',
        'complete r1,r2,r3',
        'commit from 3',
        'peek +3: r7',
        'read 7',
        // The commit failed (no answer recorded): r7, read ahead, is dropped.
        'peek +0: r4,r5,r6',
        'read 4,5,6',
      ]);
      expect(failed).toBeGreaterThan(0);
      expect(w.store.commits.map(({ commit }) => commit.issues.map((issue) => issue.memberId))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
      expect(answers(w.queue, ids(1, 2, 3, 4, 5, 6, 7))).toEqual([1, 2, 3, 4, 5, 6, 7].map((issueNumber) => `ISSUED ${issueNumber}`));
      expect(w.log.lines('batch failed; retrying the same batch')).toHaveLength(1);
    });

    test('a commit refused as stale drops the batch read ahead: the ticket is read again and the same batch decided anew', async () => {
      const w = world();
      w.store.addTicket(TICKET, { totalQuantity: 10 });
      w.store.addMembers(1, 2, 3, 4, 5, 6, 7, 90, 91);
      w.queue.enqueue(...requests(1, 2, 3, 4, 5, 6, 7));
      const events = record(w);
      // Another holder's commit lands between this holder's decision and its commit of r1-r3.
      w.store.faults.onNext('commitBatch', async () => {
        await w.clock.sleep(25);
        w.store.commitElsewhere(TICKET, 0, [90, 91]);
      });

      expect(await w.drain()).toBe('DRAINED');
      expect(events.slice(0, 10)).toEqual([
        'peek +0: r1,r2,r3',
        'read 1,2,3',
        'commit from 0',
        'peek +3: r4,r5,r6',
        'read 4,5,6',
        'committed STALE',
        // r4-r6, read ahead, are dropped with the refused commit.
        'peek +0: r1,r2,r3',
        'read 1,2,3',
        'commit from 2',
        'peek +3: r4,r5,r6',
      ]);
      expect(w.store.faults.calls('loadDrainState')).toBe(2);
      expect(answers(w.queue, ids(1, 2, 3, 4, 5, 6, 7))).toEqual([3, 4, 5, 6, 7, 8, 9].map((issueNumber) => `ISSUED ${issueNumber}`));
    });

    test('a lease lost while a batch commits: LOST after it, the batch read ahead is not decided, the next holder peeks it again', async () => {
      const w = world({ ttlMs: 300 });
      w.store.addTicket(TICKET, { totalQuantity: 10 });
      w.store.addMembers(1, 2, 3, 4, 5, 6, 7);
      w.queue.enqueue(...requests(1, 2, 3, 4, 5, 6, 7));
      const events = record(w);
      // Redis unreachable for the lock's renewals for longer than its lifetime, while r1-r3 commit.
      for (let n = 0; n < 5; n++) {
        w.lock.faults.onNext('renew', () => {
          throw new Error('redis unreachable');
        });
      }
      w.store.faults.onNext('commitBatch', () => w.clock.sleep(400));

      expect(await w.drain()).toBe('LOST');
      expect(events).toEqual([
        'peek +0: r1,r2,r3',
        'read 1,2,3',
        'commit from 0',
        'peek +3: r4,r5,r6',
        'read 4,5,6',
        'committed COMMITTED',
        'complete r1,r2,r3',
      ]);
      expect(answers(w.queue, ids(1, 2, 3, 4))).toEqual(['ISSUED 1', 'ISSUED 2', 'ISSUED 3', 'PENDING']);
      expect(w.queue.waiting(TICKET)).toEqual(ids(4, 5, 6, 7));

      await w.lock.release(TICKET, 1);
      events.length = 0;
      expect(await w.drain()).toBe('DRAINED');
      expect(events.slice(0, 2)).toEqual(['peek +0: r4,r5,r6', 'read 4,5,6']);
      expect(answers(w.queue, ids(4, 5, 6, 7))).toEqual(['ISSUED 4', 'ISSUED 5', 'ISSUED 6', 'ISSUED 7']);
    });

    test('a next batch sharing a member with the batch committing is read again after that commit, not refused by the database', async () => {
      const w = world();
      w.store.addTicket(TICKET, { totalQuantity: 10 });
      w.store.addMembers(1, 2, 3, 4, 5);
      // Member 1 queued twice (Redis lost its admission and it asked again).
      w.queue.enqueue(...requests(1, 2, 3), { ...request(1), requestId: 'r1-again' }, ...requests(4, 5));
      const events = record(w);

      expect(await w.drain()).toBe('DRAINED');
      expect(events.slice(0, 9)).toEqual([
        'peek +0: r1,r2,r3',
        'read 1,2,3',
        'commit from 0',
        'peek +3: r1-again,r4,r5',
        'committed COMMITTED',
        'complete r1,r2,r3',
        'peek +0: r1-again,r4,r5',
        'read 1,4,5',
        'commit from 3',
      ]);
      expect(w.store.commits.map(({ kind }) => kind)).toEqual(['COMMITTED', 'COMMITTED']);
      expect(answers(w.queue, ['r1', 'r2', 'r3', 'r1-again', 'r4', 'r5'])).toEqual([
        'ISSUED 1',
        'ISSUED 2',
        'ISSUED 3',
        'ISSUED 1',
        'ISSUED 4',
        'ISSUED 5',
      ]);
    });

    test('a read ahead that fails costs nothing but itself: the batch committing completes, the next is read in turn', async () => {
      const w = world();
      w.store.addTicket(TICKET, { totalQuantity: 10 });
      w.store.addMembers(1, 2, 3, 4, 5);
      w.queue.enqueue(...requests(1, 2, 3, 4, 5));
      const events = record(w);
      w.store.faults.onNext('commitBatch', () => w.clock.sleep(25));
      w.store.faults.onNext('readBatchMembers', () => undefined);
      w.store.faults.onNext('readBatchMembers', () => {
        throw new Error('connection lost');
      });

      expect(await w.drain()).toBe('DRAINED');
      expect(events.slice(0, 9)).toEqual([
        'peek +0: r1,r2,r3',
        'read 1,2,3',
        'commit from 0',
        'peek +3: r4,r5',
        'read 4,5',
        'committed COMMITTED',
        'complete r1,r2,r3',
        'peek +0: r4,r5',
        'read 4,5',
      ]);
      expect(answers(w.queue, ids(1, 2, 3, 4, 5))).toEqual([1, 2, 3, 4, 5].map((issueNumber) => `ISSUED ${issueNumber}`));
      expect(w.log.entries.filter((entry) => entry.level === 'error')).toEqual([]);
    });
    test('property: whatever fails and wherever, the answers are those of deciding the whole queue one request at a time', async () => {
      type Step = 'peekBatch' | 'readBatchMembers' | 'commitBatch' | 'commitLanded' | 'completeBatch';
      const run = fc.record({
        // Few members, so that one is often queued twice (after Redis lost its admission).
        memberIds: fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 24 }),
        totalQuantity: fc.integer({ min: 1, max: 12 }),
        batchSize: fc.integer({ min: 1, max: 5 }),
        // How long a commit takes on the fake clock: with 1 or more, the reads ahead come first.
        commitMs: fc.integer({ min: 0, max: 2 }),
        // The n-th call of a step fails; commitLanded: the commit is written, then its answer is lost.
        failures: fc.array(
          fc.record({
            step: fc.constantFrom<Step>('peekBatch', 'readBatchMembers', 'commitBatch', 'commitLanded', 'completeBatch'),
            call: fc.integer({ min: 1, max: 12 }),
          }),
          { maxLength: 6 },
        ),
      });
      await fc.assert(
        fc.asyncProperty(run, async ({ memberIds, totalQuantity, batchSize, commitMs, failures }) => {
          const w = world({ batchSize });
          w.store.addTicket(TICKET, { totalQuantity });
          w.store.addMembers(...new Set(memberIds));
          const queued = memberIds.map((memberId, n) => ({ ...request(memberId), requestId: `q${n}` }));
          w.queue.enqueue(...queued);
          const calls = new Map<Step, number>();
          const failsNow = (step: Step) => {
            calls.set(step, (calls.get(step) ?? 0) + 1);
            return failures.some((failure) => failure.step === step && failure.call === calls.get(step));
          };
          const { queue, store } = w;
          const [peek, read, commit, complete] = [
            queue.peekBatch.bind(queue),
            store.readBatchMembers.bind(store),
            store.commitBatch.bind(store),
            queue.completeBatch.bind(queue),
          ];
          const lost = () => Promise.reject(new Error('connection lost'));
          queue.peekBatch = (...args) => (failsNow('peekBatch') ? lost() : peek(...args));
          store.readBatchMembers = (...args) => (failsNow('readBatchMembers') ? lost() : read(...args));
          store.commitBatch = async (batch) => {
            if (failsNow('commitBatch')) return lost();
            await w.clock.sleep(commitMs);
            const result = await commit(batch);
            return failsNow('commitLanded') ? lost() : result;
          };
          queue.completeBatch = (...args) => (failsNow('completeBatch') ? lost() : complete(...args));

          expect(await w.drain()).toBe('DRAINED');
          const oneByOne = decideBatch({ totalQuantity, issuedQuantity: 0, closeAt: null }, queued, []).decisions;
          expect(
            answers(
              w.queue,
              queued.map((entry) => entry.requestId),
            ),
          ).toEqual(
            oneByOne.map((decision) => (decision.status === 'ISSUED' ? `ISSUED ${decision.issueNumber}` : `REJECTED ${decision.reason}`)),
          );
          // No commit was refused: a member queued twice is never stopped by a UNIQUE key alone.
          expect(w.store.commits.filter((attempt) => attempt.kind === 'STALE')).toEqual([]);
          expect(w.store.rows(TICKET).map((row) => row.issueNumber)).toEqual(
            Array.from({ length: w.store.rows(TICKET).length }, (_, n) => n + 1),
          );
        }),
        { numRuns: 200 },
      );
    });
  });
});
