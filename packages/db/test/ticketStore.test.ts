import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { BatchCommit } from '@ticketing/core';
import { createTestDatabase, type TestDatabase } from '@ticketing/testkit';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createPrisma } from '../src/prisma.js';
import { PrismaTicketStore } from '../src/ticketStore.js';
import { createMemberRows, createTicketRow, issueRows, issuesFor, ticketRow, uniqueName } from './fixtures.js';

let database: TestDatabase;
let prisma: PrismaClient;
let store: PrismaTicketStore;

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url, { connectionLimit: 8 });
  store = new PrismaTicketStore(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

const openAt = new Date('2026-12-01T10:00:00.123Z');

describe('tickets', () => {
  test('createTicket stores the ticket and answers it with its INT id', async () => {
    const name = uniqueName('concert');
    const closeAt = new Date('2026-12-02T10:00:00.456Z');
    const created = await store.createTicket({ name, totalQuantity: 100, openAt, closeAt });

    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.value).toEqual({
      id: expect.any(Number),
      name,
      totalQuantity: 100,
      issuedQuantity: 0,
      openAt,
      closeAt,
      createdAt: expect.any(Date),
      generation: expect.stringMatching(/^[0-9a-f]{40}$/),
      stateRemovedAt: null,
    });
    expect(Number.isInteger(created.value.id)).toBe(true);
    expect(Math.abs(created.value.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await store.findTicket(created.value.id)).toEqual(created.value);
    // Each row its own: a row that reuses an id after a reset never shares its Redis state.
    const other = await store.createTicket({ name: uniqueName('concert'), totalQuantity: 1, openAt, closeAt: null });
    expect(other.ok && other.value.generation).not.toBe(created.value.generation);
  });

  test('createTicket refuses a taken name with TICKET_NAME_TAKEN', async () => {
    const name = uniqueName('taken');
    expect((await store.createTicket({ name, totalQuantity: 1, openAt, closeAt: null })).ok).toBe(true);
    expect(await store.createTicket({ name, totalQuantity: 2, openAt, closeAt: null })).toEqual({
      ok: false,
      error: { code: 'TICKET_NAME_TAKEN' },
    });
  });

  test('findTicket and findTicketByName answer null for a missing ticket', async () => {
    const name = uniqueName('byname');
    const created = await store.createTicket({ name, totalQuantity: 5, openAt, closeAt: null });
    if (!created.ok) throw new Error('not created');
    expect(await store.findTicketByName(name)).toEqual(created.value);
    expect(await store.findTicketByName(uniqueName('nobody'))).toBeNull();
    expect(await store.findTicket(2_000_000_000)).toBeNull();
  });

  test('listTickets pages by id from page 1, with the total', async () => {
    for (let i = 0; i < 5; i += 1) await createTicketRow(prisma);
    const all = await prisma.ticket.findMany({ select: { id: true }, orderBy: { id: 'asc' } });

    const first = await store.listTickets({ page: 1, size: 2 });
    expect(first).toMatchObject({ page: 1, size: 2, total: all.length });
    expect(first.items.map((ticket) => ticket.id)).toEqual(all.slice(0, 2).map((row) => row.id));
    const second = await store.listTickets({ page: 2, size: 2 });
    expect(second.items.map((ticket) => ticket.id)).toEqual(all.slice(2, 4).map((row) => row.id));
    const beyond = await store.listTickets({ page: 1000, size: 2 });
    expect(beyond).toEqual({ items: [], page: 1000, size: 2, total: all.length });
    expect(first.items[0]).not.toHaveProperty('fencingToken');
  });

  test('findIssueOfMember finds the member’s issued ticket of this ticket only', async () => {
    const ticketId = await createTicketRow(prisma);
    const [holder, other] = await createMemberRows(prisma, 2);
    const [issue] = issuesFor([holder!], 0);
    await store.commitBatch({ ticketId, fencingToken: 1, expectedIssuedQuantity: 0, issues: [issue!] });
    expect(await store.findIssueOfMember(ticketId, holder!)).toMatchObject({
      ticketId,
      memberId: holder,
      issueNumber: 1,
      requestId: issue!.requestId,
    });
    expect(await store.findIssueOfMember(ticketId, other!)).toBeNull();
    expect(await store.findIssueOfMember(await createTicketRow(prisma), holder!)).toBeNull();
  });

  test('markStateRemoved marks the row of that generation only', async () => {
    const ticketId = await createTicketRow(prisma);
    const at = new Date('2026-12-04T00:00:00.123Z');
    await store.markStateRemoved(ticketId, 'f'.repeat(40), at);
    expect((await store.findTicket(ticketId))?.stateRemovedAt).toBeNull();
    const { generation } = await prisma.ticket.findUniqueOrThrow({ where: { id: ticketId } });
    await store.markStateRemoved(ticketId, generation, at);
    expect((await store.findTicket(ticketId))?.stateRemovedAt).toEqual(at);
  });

  test('deleteTicket removes a ticket without issues', async () => {
    const ticketId = await createTicketRow(prisma);
    expect(await store.deleteTicket(ticketId)).toEqual({ ok: true, value: undefined });
    expect(await store.findTicket(ticketId)).toBeNull();
  });

  test('deleteTicket answers TICKET_NOT_FOUND for a missing ticket', async () => {
    expect(await store.deleteTicket(2_000_000_001)).toEqual({ ok: false, error: { code: 'TICKET_NOT_FOUND' } });
  });

  test('deleteTicket refuses a ticket with issues and keeps it', async () => {
    const ticketId = await createTicketRow(prisma);
    const [memberId] = await createMemberRows(prisma, 1);
    await store.commitBatch({ ticketId, fencingToken: 1, expectedIssuedQuantity: 0, issues: issuesFor([memberId!], 0) });

    expect(await store.deleteTicket(ticketId)).toEqual({ ok: false, error: { code: 'TICKET_HAS_ISSUES' } });
    expect(await store.findTicket(ticketId)).not.toBeNull();
  });
});

describe('issues', () => {
  test('listIssues pages in issueNumber order, with the total; findIssueByRequestId finds by request', async () => {
    const ticketId = await createTicketRow(prisma);
    const members = await createMemberRows(prisma, 5);
    const issues = issuesFor(members.toReversed(), 0);
    await store.commitBatch({ ticketId, fencingToken: 1, expectedIssuedQuantity: 0, issues });

    const first = await store.listIssues(ticketId, { page: 1, size: 2 });
    expect(first).toMatchObject({ page: 1, size: 2, total: 5 });
    expect(first.items.map((issue) => issue.issueNumber)).toEqual([1, 2]);
    const last = await store.listIssues(ticketId, { page: 3, size: 2 });
    expect(last.items.map((issue) => [issue.issueNumber, issue.memberId])).toEqual([[5, members[0]]]);
    expect(last.items[0]).toEqual({
      id: expect.any(Number),
      ticketId,
      memberId: members[0],
      issueNumber: 5,
      requestId: issues[4]!.requestId,
      issuedAt: expect.any(Date),
      usedAt: null,
    });

    expect(await store.findIssueByRequestId(issues[4]!.requestId)).toEqual(last.items[0]);
    expect(await store.findIssueByRequestId('no-such-request')).toBeNull();
    expect(await store.listIssues(2_000_000_002, { page: 1, size: 10 })).toEqual({ items: [], page: 1, size: 10, total: 0 });
  });
});

describe('the drainer', () => {
  test('loadDrainState answers the counts, closeAt in epoch ms and the fencing token as a number', async () => {
    const closeAt = new Date('2027-01-01T00:00:00.250Z');
    const ticketId = await createTicketRow(prisma, 50, closeAt);
    const { generation } = await prisma.ticket.findUniqueOrThrow({ where: { id: ticketId } });
    expect(await store.loadDrainState(ticketId)).toEqual({
      totalQuantity: 50,
      issuedQuantity: 0,
      closeAt: closeAt.getTime(),
      fencingToken: 0,
      generation,
    });

    const [memberId] = await createMemberRows(prisma, 1);
    const token = 2 ** 40 + 7; // beyond 32 bits: the column is BIGINT
    await store.commitBatch({ ticketId, fencingToken: token, expectedIssuedQuantity: 0, issues: issuesFor([memberId!], 0) });
    expect(await store.loadDrainState(ticketId)).toEqual({
      totalQuantity: 50,
      issuedQuantity: 1,
      closeAt: closeAt.getTime(),
      fencingToken: token,
      generation,
    });

    expect(await store.loadDrainState(2_000_000_003)).toBeNull();
    const neverCloses = await createTicketRow(prisma, 1, null);
    expect((await store.loadDrainState(neverCloses))?.closeAt).toBeNull();
  });

  test("readBatchMembers answers the given members' rows for that ticket only, and which members do not exist", async () => {
    const ticketId = await createTicketRow(prisma);
    const otherTicketId = await createTicketRow(prisma);
    const [a, b, c] = await createMemberRows(prisma, 3);
    const committed = await store.commitBatch({ ticketId, fencingToken: 1, expectedIssuedQuantity: 0, issues: issuesFor([a!, b!], 0) });
    await store.commitBatch({ ticketId: otherTicketId, fencingToken: 1, expectedIssuedQuantity: 0, issues: issuesFor([c!], 0) });
    if (committed.kind !== 'COMMITTED') throw new Error('not committed');

    const missing = 2_000_000_111;
    const found = await store.readBatchMembers(ticketId, [b!, c!, b!, missing]);
    expect(found.committed).toEqual([committed.issues[1]]);
    expect(found.committed[0]).toEqual({ id: expect.any(Number), memberId: b, issueNumber: 2 });
    expect(found.missingMemberIds).toEqual([missing]);
  });

  test('readBatchMembers answers an empty batch without asking the database', async () => {
    // A client that throws on any use proves no query is made (not a stand-in for Prisma's behaviour).
    const untouchable = new Proxy({} as PrismaClient, {
      get: () => {
        throw new Error('the database was asked');
      },
    });
    expect(await new PrismaTicketStore(untouchable).readBatchMembers(1, [])).toEqual({ committed: [], missingMemberIds: [] });
  });
});

describe('commitBatch', () => {
  async function setup(members: number, totalQuantity = 1000) {
    const ticketId = await createTicketRow(prisma, totalQuantity);
    const memberIds = await createMemberRows(prisma, members);
    return { ticketId, memberIds };
  }

  test('COMMITTED: inserts the rows, moves issued_quantity and the token, and answers the row ids', async () => {
    const { ticketId, memberIds } = await setup(3);
    const issues = issuesFor(memberIds, 0);

    const result = await store.commitBatch({ ticketId, fencingToken: 3, expectedIssuedQuantity: 0, issues });

    const rows = await issueRows(prisma, ticketId);
    expect(result).toEqual({
      kind: 'COMMITTED',
      issues: rows.map((row) => ({ id: row.id, memberId: row.memberId, issueNumber: row.issueNumber })),
    });
    expect(rows.map(({ memberId, issueNumber, requestId }) => ({ memberId, issueNumber, requestId }))).toEqual(issues);
    for (const row of rows) expect(Math.abs(row.issuedAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await ticketRow(prisma, ticketId)).toEqual({ issuedQuantity: 3, fencingToken: 3n });
  });

  test('the same holder commits batch after batch; a newer holder takes over from where it stopped', async () => {
    const { ticketId, memberIds } = await setup(6);
    const batch = (token: number, from: number, to: number): BatchCommit => ({
      ticketId,
      fencingToken: token,
      expectedIssuedQuantity: from,
      issues: issuesFor(memberIds.slice(from, to), from),
    });
    const answers = [
      await store.commitBatch(batch(5, 0, 2)),
      await store.commitBatch(batch(5, 2, 4)),
      await store.commitBatch(batch(6, 4, 6)),
    ];
    expect(await ticketRow(prisma, ticketId)).toEqual({ issuedQuantity: 6, fencingToken: 6n });
    const rows = await issueRows(prisma, ticketId);
    expect(rows.map((row) => row.issueNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    // Each commit answers its own rows only, not those of the batch before it.
    const own = (from: number, to: number) => rows.slice(from, to).map(({ id, memberId, issueNumber }) => ({ id, memberId, issueNumber }));
    expect(answers).toEqual([
      { kind: 'COMMITTED', issues: own(0, 2) },
      { kind: 'COMMITTED', issues: own(2, 4) },
      { kind: 'COMMITTED', issues: own(4, 6) },
    ]);
  });

  test('a 500-row batch commits in one go', async () => {
    const { ticketId, memberIds } = await setup(500);
    const result = await store.commitBatch({ ticketId, fencingToken: 1, expectedIssuedQuantity: 0, issues: issuesFor(memberIds, 0) });
    expect(result.kind === 'COMMITTED' && result.issues.length).toBe(500);
    expect(await ticketRow(prisma, ticketId)).toEqual({ issuedQuantity: 500, fencingToken: 1n });
  });

  describe('STALE, and nothing written', () => {
    async function expectStale(ticketId: number, commit: BatchCommit, before: { issuedQuantity: number; fencingToken: bigint }) {
      expect(await store.commitBatch(commit)).toEqual({ kind: 'STALE' });
      expect(await ticketRow(prisma, ticketId)).toEqual(before);
      for (const issue of commit.issues) expect(await store.findIssueByRequestId(issue.requestId)).toBeNull();
    }

    test('when a newer fencing token has committed', async () => {
      const { ticketId, memberIds } = await setup(4);
      await store.commitBatch({ ticketId, fencingToken: 9, expectedIssuedQuantity: 0, issues: issuesFor(memberIds.slice(0, 2), 0) });
      await expectStale(
        ticketId,
        { ticketId, fencingToken: 8, expectedIssuedQuantity: 2, issues: issuesFor(memberIds.slice(2), 2) },
        { issuedQuantity: 2, fencingToken: 9n },
      );
    });

    test('when issued_quantity has moved from the expected count', async () => {
      const { ticketId, memberIds } = await setup(4);
      await store.commitBatch({ ticketId, fencingToken: 1, expectedIssuedQuantity: 0, issues: issuesFor(memberIds.slice(0, 2), 0) });
      await expectStale(
        ticketId,
        { ticketId, fencingToken: 2, expectedIssuedQuantity: 1, issues: issuesFor(memberIds.slice(2), 1) },
        { issuedQuantity: 2, fencingToken: 1n },
      );
    });

    test('when the expected count is wrong even though no row of the batch clashes with a committed one', async () => {
      const { ticketId, memberIds } = await setup(4);
      await store.commitBatch({ ticketId, fencingToken: 1, expectedIssuedQuantity: 0, issues: issuesFor(memberIds.slice(0, 2), 0) });
      // Numbers 6 and 7 for new members: no UNIQUE key would stop them, so only the guard's
      // issued_quantity = expected keeps the count from jumping over 3..5.
      await expectStale(
        ticketId,
        { ticketId, fencingToken: 1, expectedIssuedQuantity: 5, issues: issuesFor(memberIds.slice(2), 5) },
        { issuedQuantity: 2, fencingToken: 1n },
      );
      expect((await issueRows(prisma, ticketId)).map((row) => row.issueNumber)).toEqual([1, 2]);
    });

    test('when a member of the batch already holds the ticket (UNIQUE ticket_id, member_id)', async () => {
      const { ticketId, memberIds } = await setup(3);
      await store.commitBatch({ ticketId, fencingToken: 1, expectedIssuedQuantity: 0, issues: issuesFor(memberIds.slice(0, 1), 0) });
      // The guard passes (right token, right count); only the constraint catches the duplicate,
      // and the ticket update made before it must be rolled back with it.
      await expectStale(
        ticketId,
        { ticketId, fencingToken: 1, expectedIssuedQuantity: 1, issues: issuesFor([memberIds[1]!, memberIds[0]!], 1) },
        { issuedQuantity: 1, fencingToken: 1n },
      );
    });

    test('when a request id was already committed (UNIQUE request_id)', async () => {
      const { ticketId, memberIds } = await setup(2);
      const [first] = issuesFor(memberIds.slice(0, 1), 0);
      await store.commitBatch({ ticketId, fencingToken: 1, expectedIssuedQuantity: 0, issues: [first!] });
      const reused = { requestId: first!.requestId, memberId: memberIds[1]!, issueNumber: 2 };
      expect(await store.commitBatch({ ticketId, fencingToken: 1, expectedIssuedQuantity: 1, issues: [reused] })).toEqual({
        kind: 'STALE',
      });
      expect(await ticketRow(prisma, ticketId)).toEqual({ issuedQuantity: 1, fencingToken: 1n });
    });

    test('when the ticket is gone', async () => {
      const { ticketId, memberIds } = await setup(1);
      await store.deleteTicket(ticketId);
      expect(await store.commitBatch({ ticketId, fencingToken: 1, expectedIssuedQuantity: 0, issues: issuesFor(memberIds, 0) })).toEqual({
        kind: 'STALE',
      });
    });
  });

  test('an empty batch records the token (fencing older holders) and is refused like any other when stale', async () => {
    const { ticketId } = await setup(0);
    expect(await store.commitBatch({ ticketId, fencingToken: 4, expectedIssuedQuantity: 0, issues: [] })).toEqual({
      kind: 'COMMITTED',
      issues: [],
    });
    expect(await store.commitBatch({ ticketId, fencingToken: 4, expectedIssuedQuantity: 0, issues: [] })).toEqual({
      kind: 'COMMITTED',
      issues: [],
    });
    expect(await store.commitBatch({ ticketId, fencingToken: 3, expectedIssuedQuantity: 0, issues: [] })).toEqual({ kind: 'STALE' });
    expect(await ticketRow(prisma, ticketId)).toEqual({ issuedQuantity: 0, fencingToken: 4n });
  });

  test('refuses, before touching the database, issue numbers that do not follow the expected count', async () => {
    const { ticketId, memberIds } = await setup(2);
    const gap = issuesFor(memberIds, 0).map((issue, index) => ({ ...issue, issueNumber: index === 0 ? 1 : 3 }));
    await expect(store.commitBatch({ ticketId, fencingToken: 1, expectedIssuedQuantity: 0, issues: gap })).rejects.toThrow(
      new RangeError('issue 1 of the batch has number 3, expected 2'),
    );
    expect(await ticketRow(prisma, ticketId)).toEqual({ issuedQuantity: 0, fencingToken: 0n });
  });

  test('other database errors propagate (for the worker to retry) and write nothing', async () => {
    const { ticketId } = await setup(0);
    const ghost = { requestId: uniqueName('ghost'), memberId: 2_000_000_004, issueNumber: 1 };
    await expect(store.commitBatch({ ticketId, fencingToken: 1, expectedIssuedQuantity: 0, issues: [ghost] })).rejects.toThrow();
    expect(await ticketRow(prisma, ticketId)).toEqual({ issuedQuantity: 0, fencingToken: 0n });
  });

  test('two holders racing from the same expected count never both commit', async () => {
    const rounds = 15;
    const { ticketId, memberIds } = await setup(rounds * 6, rounds * 6);
    let expected = 0;
    let token = 1;
    for (let round = 0; round < rounds; round += 1) {
      const older = memberIds.slice(round * 6, round * 6 + 3);
      const newer = memberIds.slice(round * 6 + 3, round * 6 + 6);
      const results = await Promise.all([
        store.commitBatch({ ticketId, fencingToken: token, expectedIssuedQuantity: expected, issues: issuesFor(older, expected) }),
        store.commitBatch({ ticketId, fencingToken: token + 1, expectedIssuedQuantity: expected, issues: issuesFor(newer, expected) }),
      ]);
      expect(results.map((result) => result.kind).sort()).toEqual(['COMMITTED', 'STALE']);
      expected += 3;
      token += 2;
      expect((await ticketRow(prisma, ticketId)).issuedQuantity).toBe(expected);
    }
    const rows = await issueRows(prisma, ticketId);
    expect(rows.map((row) => row.issueNumber)).toEqual(Array.from({ length: expected }, (_, index) => index + 1));
  });
});
