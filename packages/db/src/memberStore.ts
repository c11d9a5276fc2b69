import { fail, ok, type Member, type MemberStore, type MemberTicket, type Page, type PageRequest, type Result } from '@ticketing/core';
import { memberColumns, memberTicketColumns } from './columns.js';
import { isUniqueViolation } from './errors.js';
import type { PrismaClient } from './generated/prisma/client.js';
import { pageWindow, toPage } from './paging.js';

export class PrismaMemberStore implements MemberStore {
  readonly #prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  async createMember(name: string): Promise<Result<Member>> {
    try {
      return ok(await this.#prisma.member.create({ data: { name, createdAt: new Date() }, select: memberColumns }));
    } catch (error) {
      if (isUniqueViolation(error)) return fail('MEMBER_NAME_TAKEN');
      throw error;
    }
  }

  findMember(memberId: number): Promise<Member | null> {
    return this.#prisma.member.findUnique({ where: { id: memberId }, select: memberColumns });
  }

  findMemberByName(name: string): Promise<Member | null> {
    return this.#prisma.member.findUnique({ where: { name }, select: memberColumns });
  }

  async listMembers(page: PageRequest): Promise<Page<Member>> {
    const [items, total] = await this.#prisma.$transaction([
      this.#prisma.member.findMany({ select: memberColumns, orderBy: { id: 'asc' }, ...pageWindow(page) }),
      this.#prisma.member.count(),
    ]);
    return toPage(items, total, page);
  }

  async memberExists(memberId: number): Promise<boolean> {
    const row = await this.#prisma.member.findUnique({ where: { id: memberId }, select: { id: true } });
    return row !== null;
  }

  /** On the API's hot path (submissions of members it has not seen), batched: the primary key only. */
  async existingMemberIds(memberIds: readonly number[]): Promise<number[]> {
    if (memberIds.length === 0) return [];
    const rows = await this.#prisma.member.findMany({ where: { id: { in: [...new Set(memberIds)] } }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  listMemberTickets(memberId: number): Promise<MemberTicket[]> {
    return this.#prisma.memberTicket.findMany({
      where: { memberId },
      select: memberTicketColumns,
      orderBy: { ticketId: 'asc' },
    });
  }

  async useTicket(memberId: number, ticketId: number, at: Date): Promise<Result<MemberTicket>> {
    // Conditional update: of two concurrent uses exactly one matches used_at IS NULL.
    const { count } = await this.#prisma.memberTicket.updateMany({
      where: { memberId, ticketId, usedAt: null },
      data: { usedAt: at },
    });
    const row = await this.#prisma.memberTicket.findUnique({
      where: { ticketId_memberId: { ticketId, memberId } },
      select: memberTicketColumns,
    });
    if (row === null) return fail('MEMBER_TICKET_NOT_FOUND');
    return count === 1 ? ok(row) : fail('ALREADY_USED');
  }
}
