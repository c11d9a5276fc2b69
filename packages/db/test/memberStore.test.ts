import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '@ticketing/testkit';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { PrismaMemberStore } from '../src/memberStore.js';
import { createPrisma } from '../src/prisma.js';
import { PrismaTicketStore } from '../src/ticketStore.js';
import { createMemberRows, createTicketRow, issuesFor, uniqueName } from './fixtures.js';

let database: TestDatabase;
let prisma: PrismaClient;
let members: PrismaMemberStore;
let tickets: PrismaTicketStore;

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url, { connectionLimit: 4 });
  members = new PrismaMemberStore(prisma);
  tickets = new PrismaTicketStore(prisma);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

/** Issues `ticketId` to `memberId` the way the worker does. */
async function issue(ticketId: number, memberId: number): Promise<void> {
  const state = await tickets.loadDrainState(ticketId);
  if (state === null) throw new Error('no ticket');
  const result = await tickets.commitBatch({
    ticketId,
    fencingToken: state.fencingToken,
    expectedIssuedQuantity: state.issuedQuantity,
    issues: issuesFor([memberId], state.issuedQuantity),
  });
  if (result.kind !== 'COMMITTED') throw new Error('not committed');
}

describe('members', () => {
  test('createMember stores the member; findMember and findMemberByName find it', async () => {
    const name = uniqueName('김민수');
    const created = await members.createMember(name);
    expect(created).toEqual({ ok: true, value: { id: expect.any(Number), name, createdAt: expect.any(Date) } });
    if (!created.ok) return;
    expect(await members.findMember(created.value.id)).toEqual(created.value);
    expect(await members.findMemberByName(name)).toEqual(created.value);
  });

  test('createMember refuses a taken name with MEMBER_NAME_TAKEN', async () => {
    const name = uniqueName('taken');
    await members.createMember(name);
    expect(await members.createMember(name)).toEqual({ ok: false, error: { code: 'MEMBER_NAME_TAKEN' } });
  });

  test('existingMemberIds answers the existing ones of many ids in one query', async () => {
    const a = await members.createMember(`batch-a-${Date.now()}`);
    const b = await members.createMember(`batch-b-${Date.now()}`);
    if (!a.ok || !b.ok) throw new Error('members not created');
    const found = await members.existingMemberIds([a.value.id, 2_000_000_000, b.value.id, a.value.id]);
    expect(found.sort((x, y) => x - y)).toEqual([a.value.id, b.value.id].sort((x, y) => x - y));
    expect(await members.existingMemberIds([])).toEqual([]);
  });

  test('find answers null for a missing member; memberExists answers false', async () => {
    expect(await members.findMember(2_000_000_000)).toBeNull();
    expect(await members.findMemberByName(uniqueName('nobody'))).toBeNull();
    expect(await members.memberExists(2_000_000_000)).toBe(false);
    const [id] = await createMemberRows(prisma, 1);
    expect(await members.memberExists(id!)).toBe(true);
  });

  test('listMembers pages by id from page 1, with the total', async () => {
    await createMemberRows(prisma, 5);
    const all = await prisma.member.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    const second = await members.listMembers({ page: 2, size: 3 });
    expect(second).toMatchObject({ page: 2, size: 3, total: all.length });
    expect(second.items.map((member) => member.id)).toEqual(all.slice(3, 6).map((row) => row.id));
    await expect(members.listMembers({ page: 0, size: 3 })).rejects.toThrow(RangeError);
  });
});

describe("a member's tickets", () => {
  test("listMemberTickets answers the member's tickets in ticket id order", async () => {
    const [memberId, otherId] = await createMemberRows(prisma, 2);
    const ticketIds = [await createTicketRow(prisma), await createTicketRow(prisma), await createTicketRow(prisma)];
    for (const ticketId of ticketIds.toReversed()) await issue(ticketId, memberId!);
    await issue(ticketIds[0]!, otherId!);

    const held = await members.listMemberTickets(memberId!);
    expect(held.map((row) => row.ticketId)).toEqual(ticketIds);
    expect(held[0]).toEqual({
      id: expect.any(Number),
      ticketId: ticketIds[0],
      memberId,
      issueNumber: 1,
      requestId: expect.any(String),
      issuedAt: expect.any(Date),
      usedAt: null,
    });
    expect(await members.listMemberTickets(2_000_000_000)).toEqual([]);
  });

  test('useTicket marks the ticket used once, then answers ALREADY_USED', async () => {
    const [memberId] = await createMemberRows(prisma, 1);
    const ticketId = await createTicketRow(prisma);
    await issue(ticketId, memberId!);
    const at = new Date('2026-12-24T18:30:00.789Z');

    const used = await members.useTicket(memberId!, ticketId, at);
    expect(used).toEqual({ ok: true, value: expect.objectContaining({ memberId, ticketId, usedAt: at }) });
    expect(await members.useTicket(memberId!, ticketId, new Date())).toEqual({ ok: false, error: { code: 'ALREADY_USED' } });
    expect((await members.listMemberTickets(memberId!))[0]?.usedAt).toEqual(at);
  });

  test('useTicket answers MEMBER_TICKET_NOT_FOUND when the member does not hold the ticket', async () => {
    const [memberId] = await createMemberRows(prisma, 1);
    const ticketId = await createTicketRow(prisma);
    expect(await members.useTicket(memberId!, ticketId, new Date())).toEqual({ ok: false, error: { code: 'MEMBER_TICKET_NOT_FOUND' } });
    expect(await members.useTicket(2_000_000_000, 2_000_000_000, new Date())).toEqual({
      ok: false,
      error: { code: 'MEMBER_TICKET_NOT_FOUND' },
    });
  });

  test('of concurrent uses of one ticket exactly one succeeds', async () => {
    const [memberId] = await createMemberRows(prisma, 1);
    const ticketId = await createTicketRow(prisma);
    await issue(ticketId, memberId!);
    const results = await Promise.all(Array.from({ length: 4 }, () => members.useTicket(memberId!, ticketId, new Date())));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok && result.error.code === 'ALREADY_USED')).toHaveLength(3);
  });
});
