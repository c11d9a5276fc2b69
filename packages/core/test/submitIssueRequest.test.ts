import { beforeEach, describe, expect, test } from '@jest/globals';
import {
  followIssueRequest,
  getIssueRequest,
  QueueUnavailableError,
  StoreUnavailableError,
  submitIssueRequest,
  type Admission,
  type AdmissionInput,
  type Clock,
  type DecisionWatch,
  type IssueRequestDeps,
  type IssueRequestState,
  type LineProgress,
  type LineReading,
  type LineTotals,
  type MemberTicket,
  type Outcome,
  type PlaceInLine,
  type QueuedRequest,
  type StoredRequest,
  type SubmissionQueue,
  type Ticket,
  type TicketRef,
} from '../src/index.js';
import { FakeClock } from './fakes/fakeClock.js';

/**
 * submitIssueRequest on in-memory ports and a fixed clock: what a submission answers, and what it
 * leaves in the queue, when the database or the queue cannot answer, for a member asking again,
 * and for each refusal.
 */
const NOW = new Date('2025-03-01T10:00:00.000Z');
const clock: Clock = new FakeClock(NOW.getTime());

const ticket = (id: number, overrides: Partial<Ticket> = {}): Ticket => ({
  id,
  name: `ticket ${id}`,
  totalQuantity: 10,
  issuedQuantity: 0,
  openAt: new Date('2025-03-01T09:00:00.000Z'),
  closeAt: null,
  createdAt: new Date('2025-02-01T00:00:00.000Z'),
  generation: `g${id}`,
  stateRemovedAt: null,
  ...overrides,
});

/** The tickets and issued rows the database holds; `down` makes every read fail as unreachable. */
class FakeTicketStore {
  down = false;
  readonly tickets = new Map<number, Ticket>();
  readonly issues = new Map<string, MemberTicket>();

  async findTicket(ticketId: number): Promise<Ticket | null> {
    if (this.down) throw new StoreUnavailableError(new Error('database down'));
    return this.tickets.get(ticketId) ?? null;
  }

  async findIssueByRequestId(requestId: string): Promise<MemberTicket | null> {
    if (this.down) throw new StoreUnavailableError(new Error('database down'));
    return this.issues.get(requestId) ?? null;
  }

  async findIssueOfMember(ticketId: number, memberId: number): Promise<MemberTicket | null> {
    if (this.down) throw new StoreUnavailableError(new Error('database down'));
    return [...this.issues.values()].find((issue) => issue.ticketId === ticketId && issue.memberId === memberId) ?? null;
  }
}

class FakeMemberStore {
  down = false;
  failure: Error | null = null;
  readonly members = new Set<number>();

  async memberExists(memberId: number): Promise<boolean> {
    if (this.failure) throw this.failure;
    if (this.down) throw new StoreUnavailableError(new Error('database down'));
    return this.members.has(memberId);
  }
}

/**
 * The submission queue's contract in memory: one request per member, the earlier request winning
 * over every refusal, window refusals, the sold-out flag, the stock spoken for by admissions;
 * enqueue idempotent per requestId; a well-formed id whose job is gone is ABSENT, and sealed for
 * the generation it carries (`@<generation>` stands for the seal).
 */
class FakeSubmissionQueue implements SubmissionQueue {
  down = false;
  /** Fails the next enqueue calls (after a successful admission) as Redis going away would. */
  enqueueFailures = 0;
  readonly admitted = new Map<number, Map<number, string>>();
  readonly soldOut = new Set<number>();
  /** Tickets whose Redis state was removed (the ended flag): every admission is ENDED. */
  readonly ended = new Set<number>();
  readonly jobs = new Map<string, { request: QueuedRequest; outcome: Outcome | null; sequence: number }>();
  /** Per ticket: requests that entered its line, and those decided. */
  readonly lines = new Map<number, { admitted: number; decided: number }>();
  decidedPerSecond: number | null = null;
  readonly enqueued: string[] = [];
  #nextId = 0;

  async admit(input: AdmissionInput): Promise<Admission> {
    if (this.down) throw new QueueUnavailableError(new Error('redis down'));
    const members = this.admitted.get(input.ticketId) ?? new Map<number, string>();
    this.admitted.set(input.ticketId, members);
    if (this.ended.has(input.ticketId)) return { kind: 'ENDED' };
    const existing = members.get(input.memberId);
    const request = (requestId: string): QueuedRequest => ({
      requestId,
      ticketId: input.ticketId,
      memberId: input.memberId,
      acceptedAt: input.acceptedAt,
    });
    if (existing !== undefined) return { kind: 'EXISTING', request: request(existing) };
    if (input.window !== 'OPEN') return { kind: 'REFUSED', code: input.window };
    if (this.soldOut.has(input.ticketId) || members.size >= input.totalQuantity) return { kind: 'REFUSED', code: 'SOLD_OUT' };
    const requestId = `${input.ticketId}-${input.memberId}-r${++this.#nextId}@${input.generation}`;
    members.set(input.memberId, requestId);
    return { kind: 'ADMITTED', request: request(requestId) };
  }

  async enqueue(request: QueuedRequest): Promise<LineReading | null> {
    if (this.down) throw new QueueUnavailableError(new Error('redis down'));
    if (this.enqueueFailures > 0) {
      this.enqueueFailures -= 1;
      throw new QueueUnavailableError(new Error('redis went away'));
    }
    this.enqueued.push(request.requestId);
    const line = this.#line(request.ticketId);
    if (!this.jobs.has(request.requestId)) this.jobs.set(request.requestId, { request, outcome: null, sequence: line.admitted++ });
    return this.#reading(request.requestId);
  }

  /** The worker decided the oldest `count` requests of the ticket. */
  decide(ticketId: number, count: number): void {
    this.#line(ticketId).decided += count;
  }

  #line(ticketId: number): { admitted: number; decided: number } {
    const line = this.lines.get(ticketId) ?? { admitted: 0, decided: 0 };
    this.lines.set(ticketId, line);
    return line;
  }

  #reading(requestId: string): LineReading | null {
    const job = this.jobs.get(requestId)!;
    if (job.outcome) return null;
    return { sequence: job.sequence, decided: this.#line(job.request.ticketId).decided, decidedPerSecond: this.decidedPerSecond };
  }

  async findRequest(requestId: string): Promise<StoredRequest | null> {
    if (this.down) throw new QueueUnavailableError(new Error('redis down'));
    const job = this.jobs.get(requestId);
    if (job) return { kind: 'FOUND', request: job.request, outcome: job.outcome, line: this.#reading(requestId) };
    const parts = /^(\d+)-(\d+)-r\d+@/.exec(requestId);
    return parts ? { kind: 'ABSENT', ticketId: Number(parts[1]), memberId: Number(parts[2]) } : null;
  }

  isSealed(requestId: string, generation: string): boolean {
    return requestId.endsWith(`@${generation}`);
  }

  watchLine(_ticketId: number, _listener: (progress: LineProgress) => void): () => void {
    return () => undefined;
  }

  async readLine(ticket: TicketRef): Promise<LineTotals> {
    const { admitted, decided } = this.#line(ticket.ticketId);
    return { admitted, decided, issued: 0, rejected: 0, failed: 0, decidedPerSecond: this.decidedPerSecond };
  }

  watchDecision(_requestId: string): DecisionWatch {
    return { until: async () => false, close: () => undefined };
  }

  /** Redis lost the job but kept the admission (a failover, or an API dying between the two). */
  loseJob(requestId: string): void {
    this.jobs.delete(requestId);
  }
}

let tickets: FakeTicketStore;
let members: FakeMemberStore;
let queue: FakeSubmissionQueue;
let deps: IssueRequestDeps;

beforeEach(() => {
  tickets = new FakeTicketStore();
  members = new FakeMemberStore();
  queue = new FakeSubmissionQueue();
  deps = { tickets, freshTickets: tickets, members, queue, clock };
  tickets.tickets.set(1, ticket(1));
  members.members.add(7);
  members.members.add(8);
});

/**
 * The database goes away; the ticket still comes from the API's cache (a plain lookup here), as
 * it does in production, while the member check and the issued-row lookup fail.
 */
function databaseAwayBehindCache(): void {
  tickets.down = true;
  members.down = true;
  const cached = new Map(tickets.tickets);
  deps = {
    ...deps,
    tickets: {
      findTicket: async (id) => cached.get(id) ?? null,
      findIssueByRequestId: (id) => tickets.findIssueByRequestId(id),
      findIssueOfMember: (ticketId, memberId) => tickets.findIssueOfMember(ticketId, memberId),
    },
  };
}

async function submitted(ticketId: number, memberId: number) {
  const result = await submitIssueRequest(deps, ticketId, memberId);
  if (!result.ok) throw new Error(`refused ${result.error.code}`);
  return result.value;
}

describe('a first submission', () => {
  test('is admitted, queued once and answered PENDING, accepted at the clock’s time', async () => {
    const { created, request } = await submitted(1, 7);
    expect(created).toBe(true);
    expect(request).toEqual({
      requestId: queue.admitted.get(1)!.get(7),
      ticketId: 1,
      memberId: 7,
      status: 'PENDING',
      reason: null,
      issueNumber: null,
      memberTicketId: null,
      acceptedAt: NOW,
      decidedAt: null,
      position: 0,
      estimatedWaitMs: null,
    });
    expect(queue.enqueued).toEqual([request.requestId]);
    expect(queue.jobs.get(request.requestId)?.request.acceptedAt).toBe(NOW.getTime());
  });

  test('answers its place in line (G11): the requests ahead not yet decided, and the wait at the recent pace', async () => {
    for (const memberId of [1, 2, 3, 4, 5]) members.members.add(memberId);
    tickets.tickets.set(2, ticket(2));
    for (const memberId of [1, 2, 3, 4]) await submitted(1, memberId);
    queue.decide(1, 3);
    queue.decidedPerSecond = 2;
    const { request } = await submitted(1, 5);
    expect({ position: request.position, estimatedWaitMs: request.estimatedWaitMs }).toEqual({ position: 1, estimatedWaitMs: 1000 });
    // Another ticket's line is its own.
    expect((await submitted(2, 5)).request.position).toBe(0);
  });
});

describe('the database cannot answer', () => {
  test('the member cannot be checked: the request is queued all the same', async () => {
    databaseAwayBehindCache();
    const { created, request } = await submitted(1, 99);
    expect(created).toBe(true);
    expect(request.status).toBe('PENDING');
    expect(queue.enqueued).toEqual([request.requestId]);
  });

  test('a member check failing for another reason is not taken for "cannot tell"', async () => {
    members.failure = new Error('a bug, not an outage');
    await expect(submitIssueRequest(deps, 1, 7)).rejects.toThrow('a bug, not an outage');
    expect(queue.enqueued).toEqual([]);
  });

  test('a member the database says does not exist is refused MEMBER_NOT_FOUND, nothing queued', async () => {
    expect(await submitIssueRequest(deps, 1, 99)).toEqual({ ok: false, error: { code: 'MEMBER_NOT_FOUND' } });
    expect(queue.admitted.size).toBe(0);
    expect(queue.enqueued).toEqual([]);
  });

  test('an unknown ticket is TICKET_NOT_FOUND, even while the member cannot be checked; nothing is admitted', async () => {
    members.down = true;
    expect(await submitIssueRequest(deps, 2, 7)).toEqual({ ok: false, error: { code: 'TICKET_NOT_FOUND' } });
    expect(queue.admitted.size).toBe(0);
    expect(queue.enqueued).toEqual([]);
  });
});

describe('the queue cannot answer', () => {
  test('admission fails: QueueUnavailableError reaches the caller, nothing is queued', async () => {
    queue.down = true;
    await expect(submitIssueRequest(deps, 1, 7)).rejects.toBeInstanceOf(QueueUnavailableError);
    expect(queue.enqueued).toEqual([]);
  });

  test('the enqueue after an admission fails: the error reaches the caller; asking again queues that same request', async () => {
    queue.enqueueFailures = 1;
    await expect(submitIssueRequest(deps, 1, 7)).rejects.toBeInstanceOf(QueueUnavailableError);
    const admittedId = queue.admitted.get(1)!.get(7)!;
    expect(queue.jobs.has(admittedId)).toBe(false);

    const again = await submitted(1, 7);
    expect(again).toMatchObject({ created: false, request: { requestId: admittedId, status: 'PENDING' } });
    expect(queue.enqueued).toEqual([admittedId]);
  });
});

describe('a member asking again', () => {
  test('gets the earlier request back (created false), and no second job', async () => {
    const first = await submitted(1, 7);
    const again = await submitted(1, 7);
    expect(again).toEqual({ created: false, request: first.request });
    expect(queue.enqueued).toEqual([first.request.requestId]);
  });

  test('gets the earlier request as decided when the queue holds its outcome', async () => {
    const first = await submitted(1, 7);
    const decidedAt = NOW.getTime() + 5000;
    queue.jobs.get(first.request.requestId)!.outcome = { status: 'ISSUED', issueNumber: 3, memberTicketId: 42, decidedAt };
    const again = await submitted(1, 7);
    expect(again.created).toBe(false);
    expect(again.request).toMatchObject({
      requestId: first.request.requestId,
      status: 'ISSUED',
      issueNumber: 3,
      memberTicketId: 42,
      decidedAt: new Date(decidedAt),
    });
  });

  test('gets the issued ticket the database holds when the queue has not been told yet', async () => {
    const first = await submitted(1, 7);
    const issuedAt = new Date(NOW.getTime() + 1000);
    tickets.issues.set(first.request.requestId, {
      id: 5,
      ticketId: 1,
      memberId: 7,
      issueNumber: 1,
      requestId: first.request.requestId,
      issuedAt,
      usedAt: null,
    });
    const again = await submitted(1, 7);
    expect(again.request).toMatchObject({ status: 'ISSUED', issueNumber: 1, memberTicketId: 5, acceptedAt: NOW, decidedAt: issuedAt });
    expect(queue.enqueued).toEqual([first.request.requestId]);
  });

  test('whose earlier request the queue lost gets it re-enqueued under the same id', async () => {
    const first = await submitted(1, 7);
    queue.loseJob(first.request.requestId);
    const again = await submitted(1, 7);
    expect(again).toMatchObject({ created: false, request: { requestId: first.request.requestId, status: 'PENDING' } });
    expect(queue.jobs.has(first.request.requestId)).toBe(true);
    expect(queue.enqueued).toEqual([first.request.requestId, first.request.requestId]);
  });

  test('whose earlier request cannot be read for a reason other than the database being away: the error reaches the caller, nothing queued again', async () => {
    const first = await submitted(1, 7);
    const bug = new Error('unexpected reply');
    queue.findRequest = async () => Promise.reject(bug);
    await expect(submitIssueRequest(deps, 1, 7)).rejects.toBe(bug);
    expect(queue.enqueued).toEqual([first.request.requestId]);
  });

  test('while the database is away: a queued earlier request is answered as it stands, not queued again', async () => {
    const first = await submitted(1, 7);
    databaseAwayBehindCache();
    const again = await submitted(1, 7);
    expect(again).toEqual({ created: false, request: first.request });
    expect(queue.enqueued).toEqual([first.request.requestId]);
  });

  test('while the database is away: a lost earlier request is still re-enqueued (no error)', async () => {
    const first = await submitted(1, 7);
    queue.loseJob(first.request.requestId);
    databaseAwayBehindCache();
    const again = await submitted(1, 7);
    expect(again).toMatchObject({ created: false, request: { requestId: first.request.requestId, status: 'PENDING' } });
    expect(queue.jobs.has(first.request.requestId)).toBe(true);
  });

  test('gets the earlier request even once the ticket is sold out or closed', async () => {
    const first = await submitted(1, 7);
    queue.soldOut.add(1);
    expect(await submitted(1, 7)).toEqual({ created: false, request: first.request });
    tickets.tickets.set(1, ticket(1, { closeAt: NOW }));
    expect(await submitted(1, 7)).toEqual({ created: false, request: first.request });
  });
});

describe('refusals: answered at once, nothing queued', () => {
  test('SOLD_OUT once the ticket is flagged sold out', async () => {
    queue.soldOut.add(1);
    expect(await submitIssueRequest(deps, 1, 7)).toEqual({ ok: false, error: { code: 'SOLD_OUT' } });
    expect(queue.enqueued).toEqual([]);
  });

  test('SOLD_OUT once as many members as the stock were admitted', async () => {
    tickets.tickets.set(3, ticket(3, { totalQuantity: 1 }));
    await submitted(3, 7);
    expect(await submitIssueRequest(deps, 3, 8)).toEqual({ ok: false, error: { code: 'SOLD_OUT' } });
    expect(queue.enqueued).toHaveLength(1);
  });

  test('NOT_OPEN before the ticket opens, by the clock', async () => {
    tickets.tickets.set(4, ticket(4, { openAt: new Date(NOW.getTime() + 1) }));
    expect(await submitIssueRequest(deps, 4, 7)).toEqual({ ok: false, error: { code: 'NOT_OPEN' } });
    expect(queue.admitted.get(4)?.size ?? 0).toBe(0);
    expect(queue.enqueued).toEqual([]);
  });

  test('CLOSED from the ticket’s close time on, by the clock', async () => {
    tickets.tickets.set(5, ticket(5, { closeAt: NOW }));
    expect(await submitIssueRequest(deps, 5, 7)).toEqual({ ok: false, error: { code: 'CLOSED' } });
    tickets.tickets.set(6, ticket(6, { closeAt: new Date(NOW.getTime() + 1) }));
    expect((await submitted(6, 7)).created).toBe(true);
    expect(queue.enqueued).toHaveLength(1);
  });
});

describe('a poll: only ids sealed for the ticket row count', () => {
  const poll = (requestId: string) => getIssueRequest(deps, requestId, 0);

  test('an id whose job the queue lost, sealed for this row: FAILED QUEUE_DATA_LOST', async () => {
    const { request } = await submitted(1, 7);
    queue.loseJob(request.requestId);
    expect(await poll(request.requestId)).toMatchObject({ ok: true, value: { status: 'FAILED', reason: 'QUEUE_DATA_LOST', memberId: 7 } });
  });

  test('a well-formed made-up id (no seal of this row): ISSUE_REQUEST_NOT_FOUND', async () => {
    expect(await poll('1-7-r99@forged')).toEqual({ ok: false, error: { code: 'ISSUE_REQUEST_NOT_FOUND' } });
  });

  test('a request of an earlier row with the same id, still in the queue: ISSUE_REQUEST_NOT_FOUND', async () => {
    const { request } = await submitted(1, 7);
    queue.jobs.get(request.requestId)!.outcome = { status: 'ISSUED', issueNumber: 1, memberTicketId: 5, decidedAt: 0 };
    expect((await poll(request.requestId)).ok).toBe(true);
    // The database was reset: ticket 1 is another row now.
    tickets.tickets.set(1, ticket(1, { generation: 'another' }));
    expect(await poll(request.requestId)).toEqual({ ok: false, error: { code: 'ISSUE_REQUEST_NOT_FOUND' } });
  });
});

describe('a poll while the database cannot tell whose id it is', () => {
  const poll = (requestId: string) => getIssueRequest(deps, requestId, 0);

  test('a request the queue holds is answered as it stands (the seal is taken as the queue’s)', async () => {
    const { request } = await submitted(1, 7);
    tickets.down = true;
    expect(await poll(request.requestId)).toMatchObject({ ok: true, value: { requestId: request.requestId, status: 'PENDING' } });
  });

  test('an id the queue does not hold is not answered as lost: the unavailability reaches the caller', async () => {
    const { request } = await submitted(1, 7);
    queue.loseJob(request.requestId);
    // Only the row's lookup fails (a blip): the id's seal cannot be checked, so nothing is claimed.
    deps = {
      ...deps,
      tickets: { ...deps.tickets, findTicket: async () => Promise.reject(new StoreUnavailableError(new Error('database down'))) },
    };
    await expect(poll(request.requestId)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  test('a row lookup failing for another reason is not taken for "cannot tell"', async () => {
    const { request } = await submitted(1, 7);
    const bug = new Error('unexpected column');
    deps = { ...deps, tickets: { ...deps.tickets, findTicket: async () => Promise.reject(bug) } };
    await expect(poll(request.requestId)).rejects.toBe(bug);
  });
});

describe('a poll that may wait for the decision', () => {
  /** Watches as the queue hands them out: when, for which id, each wait asked for, and whether closed. */
  function watching(onWait: (requestId: string) => void = () => undefined) {
    const events: string[] = [];
    const waits: Array<{ requestId: string; ms: number; signal: AbortSignal | undefined }> = [];
    queue.watchDecision = (requestId) => {
      events.push(`watch ${requestId}`);
      return {
        until: async (ms, signal) => {
          waits.push({ requestId, ms, signal });
          onWait(requestId);
          return true;
        },
        close: () => void events.push(`close ${requestId}`),
      };
    };
    const findRequest = queue.findRequest.bind(queue);
    queue.findRequest = (requestId) => {
      events.push(`read ${requestId}`);
      return findRequest(requestId);
    };
    return { events, waits };
  }

  test('waitMs 0: answered at once as it stands, without watching', async () => {
    const { request } = await submitted(1, 7);
    const { events, waits } = watching();
    expect(await getIssueRequest(deps, request.requestId, 0)).toMatchObject({ ok: true, value: { status: 'PENDING' } });
    expect(events).toEqual([`read ${request.requestId}`]);
    expect(waits).toEqual([]);
  });

  test('a pending request: watched before the first read, waited on for waitMs, read again, and the watch closed', async () => {
    const { request } = await submitted(1, 7);
    const decidedAt = NOW.getTime() + 20;
    const { events, waits } = watching((requestId) => {
      queue.jobs.get(requestId)!.outcome = { status: 'REJECTED', reason: 'SOLD_OUT', decidedAt };
    });
    const signal = new AbortController().signal;

    expect(await getIssueRequest(deps, request.requestId, 1500, signal)).toMatchObject({
      ok: true,
      value: { status: 'REJECTED', reason: 'SOLD_OUT', decidedAt: new Date(decidedAt) },
    });
    expect(events).toEqual([
      `watch ${request.requestId}`,
      `read ${request.requestId}`,
      `read ${request.requestId}`,
      `close ${request.requestId}`,
    ]);
    expect(waits).toEqual([{ requestId: request.requestId, ms: 1500, signal }]);
  });

  test('a wait that ends without a decision answers the request as it stands then', async () => {
    const { request } = await submitted(1, 7);
    const { waits } = watching();
    expect(await getIssueRequest(deps, request.requestId, 1500)).toMatchObject({ ok: true, value: { status: 'PENDING' } });
    expect(waits).toHaveLength(1);
  });

  test('a decided request is answered without waiting; the watch is closed all the same', async () => {
    const { request } = await submitted(1, 7);
    queue.jobs.get(request.requestId)!.outcome = { status: 'ISSUED', issueNumber: 1, memberTicketId: 5, decidedAt: 0 };
    const { events, waits } = watching();
    expect(await getIssueRequest(deps, request.requestId, 1500)).toMatchObject({ ok: true, value: { status: 'ISSUED' } });
    expect(waits).toEqual([]);
    expect(events).toEqual([`watch ${request.requestId}`, `read ${request.requestId}`, `close ${request.requestId}`]);
  });

  test('an unknown or expired request is answered without waiting, and the watch closed', async () => {
    const { events, waits } = watching();
    expect(await getIssueRequest(deps, '1-9-r77@forged', 1500)).toEqual({ ok: false, error: { code: 'ISSUE_REQUEST_NOT_FOUND' } });
    const { request } = await submitted(1, 8);
    queue.loseJob(request.requestId);
    tickets.tickets.set(1, ticket(1, { stateRemovedAt: new Date(NOW.getTime() - 1000) }));
    expect(await getIssueRequest(deps, request.requestId, 1500)).toEqual({ ok: false, error: { code: 'ISSUE_REQUEST_EXPIRED', owner: 8 } });
    expect(waits).toEqual([]);
    expect(events.filter((event) => event.startsWith('close'))).toEqual(['close 1-9-r77@forged', `close ${request.requestId}`]);
  });

  test('a read that fails still closes the watch', async () => {
    const { request } = await submitted(1, 7);
    const { events } = watching();
    queue.down = true;
    await expect(getIssueRequest(deps, request.requestId, 1500)).rejects.toBeInstanceOf(QueueUnavailableError);
    expect(events.at(-1)).toBe(`close ${request.requestId}`);
  });
});

describe('following a request (the event stream)', () => {
  type Wait = (requestId: string, ms: number, signal: AbortSignal | undefined) => boolean;

  /** Watches that run `steps` in turn, one per wait; the line's listener; and what the follower was told. */
  function following(steps: Wait[]) {
    const events: string[] = [];
    const waits: Array<{ ms: number; signal: AbortSignal | undefined }> = [];
    let listener: ((progress: LineProgress) => void) | null = null;
    queue.watchDecision = (requestId) => {
      events.push('watch');
      return {
        until: async (ms, signal) => {
          waits.push({ ms, signal });
          const step = steps.shift();
          if (!step) throw new Error('waited more often than the test planned');
          return step(requestId, ms, signal);
        },
        close: () => void events.push('close'),
      };
    };
    queue.watchLine = (ticketId, onProgress) => {
      events.push(`watchLine ${ticketId}`);
      listener = onProgress;
      return () => void events.push('unwatchLine');
    };
    const positions: PlaceInLine[] = [];
    const decisions: IssueRequestState[] = [];
    const updates = {
      position: (place: PlaceInLine) => positions.push(place),
      decision: (state: IssueRequestState) => decisions.push(state),
    };
    const progress = (reading: LineProgress) => listener!(reading);
    return { events, waits, positions, decisions, updates, progress };
  }

  test('tells the place, then each place its ticket’s batches report as long as it does not grow, then the decision', async () => {
    members.members.add(9);
    await submitted(1, 7);
    await submitted(1, 8);
    const { request } = await submitted(1, 9); // third in line: two ahead
    const stop = new AbortController();
    const f = following([
      () => {
        f.progress({ decided: 1, decidedPerSecond: 2 });
        f.progress({ decided: 0, decidedPerSecond: 2 }); // a late message of an earlier batch
        f.progress({ decided: 1, decidedPerSecond: 4 }); // the same place at a new pace is told
        return false; // no decision within the wait: read again
      },
      (requestId) => {
        queue.jobs.get(requestId)!.outcome = { status: 'ISSUED', issueNumber: 3, memberTicketId: 43, decidedAt: NOW.getTime() };
        return true;
      },
    ]);

    expect(await followIssueRequest(deps, request.requestId, stop.signal, f.updates)).toEqual({ ok: true, value: undefined });
    // The read after the first wait still says two ahead (the fake line was not moved): not told again.
    expect(f.positions).toEqual([
      { position: 2, estimatedWaitMs: null },
      { position: 1, estimatedWaitMs: 1000 },
      { position: 1, estimatedWaitMs: 500 },
    ]);
    expect(f.decisions).toEqual([expect.objectContaining({ requestId: request.requestId, status: 'ISSUED', issueNumber: 3 })]);
    expect(f.waits).toEqual([
      { ms: 10_000, signal: stop.signal },
      { ms: 10_000, signal: stop.signal },
    ]);
    // A woken watch is spent: a new one is armed before the next read.
    expect(f.events).toEqual(['watch', 'watchLine 1', 'close', 'watch', 'unwatchLine', 'close']);
  });

  test('a decided request: only its decision, no place and no wait', async () => {
    const { request } = await submitted(1, 7);
    queue.jobs.get(request.requestId)!.outcome = { status: 'REJECTED', reason: 'SOLD_OUT', decidedAt: NOW.getTime() };
    const f = following([]);
    expect(await followIssueRequest(deps, request.requestId, new AbortController().signal, f.updates)).toEqual({
      ok: true,
      value: undefined,
    });
    expect(f.positions).toEqual([]);
    expect(f.decisions.map((state) => [state.status, state.reason])).toEqual([['REJECTED', 'SOLD_OUT']]);
    expect(f.waits).toEqual([]);
    expect(f.events).toEqual(['watch', 'close']); // a decided request has no line to watch
  });

  test('an unknown request is NOT_FOUND and an expired one EXPIRED, told nothing, their watches closed', async () => {
    const f = following([]);
    expect(await followIssueRequest(deps, '1-9-r77@forged', new AbortController().signal, f.updates)).toEqual({
      ok: false,
      error: { code: 'ISSUE_REQUEST_NOT_FOUND' },
    });
    const { request } = await submitted(1, 8);
    queue.loseJob(request.requestId);
    tickets.tickets.set(1, ticket(1, { stateRemovedAt: new Date(NOW.getTime() - 1000) }));
    expect(await followIssueRequest(deps, request.requestId, new AbortController().signal, f.updates)).toEqual({
      ok: false,
      error: { code: 'ISSUE_REQUEST_EXPIRED', owner: 8 },
    });
    expect([f.positions, f.decisions, f.waits]).toEqual([[], [], []]);
    expect(f.events).toEqual(['watch', 'close', 'watch', 'close']);
  });

  test('a follower that goes away during a wait ends without a decision, and stops watching', async () => {
    const { request } = await submitted(1, 7);
    const stop = new AbortController();
    const f = following([
      (requestId) => {
        queue.jobs.get(requestId)!.outcome = { status: 'ISSUED', issueNumber: 1, memberTicketId: 41, decidedAt: 0 };
        stop.abort();
        return true;
      },
    ]);
    expect(await followIssueRequest(deps, request.requestId, stop.signal, f.updates)).toEqual({ ok: true, value: undefined });
    expect(f.decisions).toEqual([]);
    expect(f.events).toEqual(['watch', 'watchLine 1', 'unwatchLine', 'close']);
  });

  test('an aborted follower never waits', async () => {
    const { request } = await submitted(1, 7);
    const stop = new AbortController();
    stop.abort();
    const f = following([]);
    expect(await followIssueRequest(deps, request.requestId, stop.signal, f.updates)).toEqual({ ok: true, value: undefined });
    expect([f.waits, f.decisions]).toEqual([[], []]);
  });

  test('a request whose ticket state is removed while followed: the stream ends without a decision', async () => {
    const { request } = await submitted(1, 7);
    const f = following([
      (requestId) => {
        queue.loseJob(requestId);
        tickets.tickets.set(1, ticket(1, { stateRemovedAt: NOW }));
        return true;
      },
    ]);
    expect(await followIssueRequest(deps, request.requestId, new AbortController().signal, f.updates)).toEqual({
      ok: true,
      value: undefined,
    });
    expect(f.decisions).toEqual([]);
    expect(f.positions).toEqual([{ position: 0, estimatedWaitMs: null }]);
  });

  test('a request the queue holds without its place (no line): followed to its decision without watching a line', async () => {
    const { request } = await submitted(1, 7);
    const findRequest = queue.findRequest.bind(queue);
    queue.findRequest = async (requestId) => {
      const stored = await findRequest(requestId);
      return stored?.kind === 'FOUND' ? { ...stored, line: null } : stored;
    };
    const f = following([
      (requestId) => {
        queue.jobs.get(requestId)!.outcome = { status: 'ISSUED', issueNumber: 1, memberTicketId: 41, decidedAt: 0 };
        return true;
      },
    ]);
    expect(await followIssueRequest(deps, request.requestId, new AbortController().signal, f.updates)).toEqual({
      ok: true,
      value: undefined,
    });
    expect(f.positions).toEqual([]);
    expect(f.decisions.map((state) => state.status)).toEqual(['ISSUED']);
    expect(f.events.filter((event) => event.includes('Line'))).toEqual([]);
  });
});

describe('after the ticket’s Redis state was removed (its sale ended RESULT_TTL_S ago)', () => {
  const removed = new Date('2025-03-01T09:30:00.000Z');
  const issue = (memberId: number, requestId: string): MemberTicket => ({
    id: 40 + memberId,
    ticketId: 1,
    memberId,
    issueNumber: 1,
    requestId,
    issuedAt: removed,
    usedAt: null,
  });

  test('asking again: the issued member gets 200 with its issued request, another the ticket’s 409; nothing is admitted', async () => {
    tickets.tickets.set(1, ticket(1, { totalQuantity: 1, issuedQuantity: 1, stateRemovedAt: removed }));
    tickets.issues.set('1-7-r1@g1', issue(7, '1-7-r1@g1'));
    expect(await submitIssueRequest(deps, 1, 7)).toMatchObject({
      ok: true,
      value: { created: false, request: { requestId: '1-7-r1@g1', status: 'ISSUED', issueNumber: 1, memberTicketId: 47 } },
    });
    expect(await submitIssueRequest(deps, 1, 8)).toEqual({ ok: false, error: { code: 'SOLD_OUT' } });
    tickets.tickets.set(2, ticket(2, { closeAt: removed, stateRemovedAt: removed }));
    expect(await submitIssueRequest(deps, 2, 8)).toEqual({ ok: false, error: { code: 'CLOSED' } });
    expect(queue.admitted.size).toBe(0);
  });

  test('removed a moment ago, the cached ticket not knowing yet: the queue says ENDED and the fresh row answers', async () => {
    const cachedOpen = ticket(1, { totalQuantity: 1 });
    tickets.tickets.set(1, ticket(1, { totalQuantity: 1, issuedQuantity: 1, stateRemovedAt: removed }));
    queue.ended.add(1);
    deps = {
      ...deps,
      tickets: { ...deps.tickets, findTicket: async () => cachedOpen, findIssueOfMember: (t, m) => tickets.findIssueOfMember(t, m) },
    };
    expect(await submitIssueRequest(deps, 1, 8)).toEqual({ ok: false, error: { code: 'SOLD_OUT' } });
    expect(queue.enqueued).toEqual([]);
  });

  test('a poll: issued requests ISSUED from the database, others 410 ISSUE_REQUEST_EXPIRED, made-up ids 404', async () => {
    const issued = await submitted(1, 7);
    const refused = await submitted(1, 8);
    queue.loseJob(issued.request.requestId);
    queue.loseJob(refused.request.requestId);
    tickets.issues.set(issued.request.requestId, issue(7, issued.request.requestId));
    tickets.tickets.set(1, ticket(1, { stateRemovedAt: removed }));

    const poll = (requestId: string) => getIssueRequest(deps, requestId, 0);
    expect(await poll(issued.request.requestId)).toMatchObject({ ok: true, value: { status: 'ISSUED', issueNumber: 1 } });
    // Expired names its member, so the API can tell it to that member alone.
    expect(await poll(refused.request.requestId)).toEqual({ ok: false, error: { code: 'ISSUE_REQUEST_EXPIRED', owner: 8 } });
    expect(await poll('1-9-r77@forged')).toEqual({ ok: false, error: { code: 'ISSUE_REQUEST_NOT_FOUND' } });
  });
});

describe('following a request (its event stream)', () => {
  test('idle turns ask the queue alone; the database is read once, and each place is told once', async () => {
    const { request } = await submitted(1, 7);
    let issueReads = 0;
    const counted: IssueRequestDeps = {
      ...deps,
      tickets: {
        findTicket: (ticketId) => tickets.findTicket(ticketId),
        findIssueOfMember: (ticketId, memberId) => tickets.findIssueOfMember(ticketId, memberId),
        findIssueByRequestId: (requestId) => {
          issueReads += 1;
          return tickets.findIssueByRequestId(requestId);
        },
      },
    };
    // Four turns pass with nothing waking the follower, then the decision wakes it.
    let waits = 0;
    queue.watchDecision = () => ({
      until: async () => {
        waits += 1;
        if (waits < 5) return false;
        queue.jobs.get(request.requestId)!.outcome = { status: 'ISSUED', issueNumber: 1, memberTicketId: 11, decidedAt: NOW.getTime() };
        return true;
      },
      close: () => undefined,
    });
    const places: number[] = [];
    const decisions: string[] = [];
    const followed = await followIssueRequest(counted, request.requestId, new AbortController().signal, {
      position: (place) => places.push(place.position),
      decision: (state) => decisions.push(state.status),
    });
    expect(followed).toEqual({ ok: true, value: undefined });
    expect(waits).toBe(5);
    expect(issueReads).toBe(1);
    expect(places).toEqual([0]);
    expect(decisions).toEqual(['ISSUED']);

    // Opened on the caller's fresh read of a request the queue still holds undecided: no database read at all.
    const { request: second } = await submitted(1, 8);
    const known = (await getIssueRequest(deps, second.requestId, 0)) as { ok: true; value: IssueRequestState };
    issueReads = 0;
    waits = 0;
    queue.watchDecision = () => ({
      until: async () => {
        waits += 1;
        queue.jobs.get(second.requestId)!.outcome = { status: 'ISSUED', issueNumber: 2, memberTicketId: 12, decidedAt: NOW.getTime() };
        return true;
      },
      close: () => undefined,
    });
    await followIssueRequest(
      counted,
      second.requestId,
      new AbortController().signal,
      { position: () => undefined, decision: (state) => decisions.push(state.status) },
      known.value,
    );
    expect(issueReads).toBe(0);
    expect(decisions).toEqual(['ISSUED', 'ISSUED']);
  });

  test('an idle turn tells the place the queue reads, in case the batch’s progress message was missed', async () => {
    await submitted(1, 7);
    const { request } = await submitted(1, 8); // one ahead
    let waits = 0;
    queue.watchDecision = () => ({
      until: async () => {
        waits += 1;
        if (waits === 1) {
          queue.decide(1, 1); // the batch moved the line, and its message never came
          return false;
        }
        queue.jobs.get(request.requestId)!.outcome = { status: 'ISSUED', issueNumber: 2, memberTicketId: 12, decidedAt: NOW.getTime() };
        return true;
      },
      close: () => undefined,
    });
    const places: number[] = [];
    await followIssueRequest(deps, request.requestId, new AbortController().signal, {
      position: (place) => places.push(place.position),
      decision: () => undefined,
    });
    expect(places).toEqual([1, 0]);
  });
});
