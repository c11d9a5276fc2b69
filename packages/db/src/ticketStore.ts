import {
  fail,
  ok,
  type BatchCommit,
  type BatchMembers,
  type CommitResult,
  type MemberTicket,
  type NewTicket,
  type Page,
  type PageRequest,
  type Result,
  type StoredDrainState,
  type Ticket,
  type TicketStore,
} from '@ticketing/core';
import { memberTicketColumns, ticketColumns } from './columns.js';
import { commitBatch } from './commitBatch.js';
import { isForeignKeyViolation, isUniqueViolation } from './errors.js';
import { newGeneration } from './generation.js';
import { Prisma, type PrismaClient } from './generated/prisma/client.js';
import { pageWindow, toPage } from './paging.js';

export class PrismaTicketStore implements TicketStore {
  readonly #prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  async createTicket(ticket: NewTicket): Promise<Result<Ticket>> {
    try {
      const { name, totalQuantity, openAt, closeAt } = ticket;
      const data = { name, totalQuantity, openAt, closeAt, createdAt: new Date(), generation: newGeneration() };
      return ok(await this.#prisma.ticket.create({ data, select: ticketColumns }));
    } catch (error) {
      if (isUniqueViolation(error)) return fail('TICKET_NAME_TAKEN');
      throw error;
    }
  }

  findTicket(ticketId: number): Promise<Ticket | null> {
    return this.#prisma.ticket.findUnique({ where: { id: ticketId }, select: ticketColumns });
  }

  findTicketByName(name: string): Promise<Ticket | null> {
    return this.#prisma.ticket.findUnique({ where: { name }, select: ticketColumns });
  }

  async listTickets(page: PageRequest): Promise<Page<Ticket>> {
    // One transaction so the total and the items come from the same snapshot.
    const [items, total] = await this.#prisma.$transaction([
      this.#prisma.ticket.findMany({ select: ticketColumns, orderBy: { id: 'asc' }, ...pageWindow(page) }),
      this.#prisma.ticket.count(),
    ]);
    return toPage(items, total, page);
  }

  async deleteTicket(ticketId: number): Promise<Result<void>> {
    try {
      // One conditional statement, so no issue can land between a check and the delete.
      const deleted = await this.#prisma.$executeRaw`
        DELETE FROM ticket WHERE id = ${ticketId}
        AND NOT EXISTS (SELECT 1 FROM member_ticket WHERE ticket_id = ${ticketId})`;
      if (deleted > 0) return ok(undefined);
    } catch (error) {
      // The RESTRICT foreign key caught a row committed while the delete ran.
      if (isForeignKeyViolation(error)) return fail('TICKET_HAS_ISSUES');
      throw error;
    }
    const exists = await this.#prisma.ticket.findUnique({ where: { id: ticketId }, select: { id: true } });
    return fail(exists === null ? 'TICKET_NOT_FOUND' : 'TICKET_HAS_ISSUES');
  }

  async listIssues(ticketId: number, page: PageRequest): Promise<Page<MemberTicket>> {
    const where = { ticketId };
    const [items, total] = await this.#prisma.$transaction([
      this.#prisma.memberTicket.findMany({
        where,
        select: memberTicketColumns,
        orderBy: { issueNumber: 'asc' },
        ...pageWindow(page),
      }),
      this.#prisma.memberTicket.count({ where }),
    ]);
    return toPage(items, total, page);
  }

  findIssueByRequestId(requestId: string): Promise<MemberTicket | null> {
    return this.#prisma.memberTicket.findUnique({ where: { requestId }, select: memberTicketColumns });
  }

  findIssueOfMember(ticketId: number, memberId: number): Promise<MemberTicket | null> {
    return this.#prisma.memberTicket.findUnique({ where: { ticketId_memberId: { ticketId, memberId } }, select: memberTicketColumns });
  }

  async markStateRemoved(ticketId: number, generation: string, at: Date): Promise<void> {
    // Guarded by the generation: a row that reuses the id (a database reset) keeps its own state.
    await this.#prisma.ticket.updateMany({ where: { id: ticketId, generation }, data: { stateRemovedAt: at } });
  }

  async loadDrainState(ticketId: number): Promise<StoredDrainState | null> {
    const row = await this.#prisma.ticket.findUnique({
      where: { id: ticketId },
      select: { totalQuantity: true, issuedQuantity: true, closeAt: true, fencingToken: true, generation: true },
    });
    if (row === null) return null;
    return {
      totalQuantity: row.totalQuantity,
      issuedQuantity: row.issuedQuantity,
      closeAt: row.closeAt?.getTime() ?? null,
      // Tokens come from a Redis counter: far below 2^53, so a number holds them exactly.
      fencingToken: Number(row.fencingToken),
      generation: row.generation,
    };
  }

  /** One query per batch: which members exist, and which of them already hold this ticket. */
  async readBatchMembers(ticketId: number, memberIds: readonly number[]): Promise<BatchMembers> {
    const distinct = [...new Set(memberIds)];
    if (distinct.length === 0) return { committed: [], missingMemberIds: [] };
    const rows = await this.#prisma.$queryRaw<Array<{ memberId: number; issueNumber: number | null; id: number | null }>>`
      SELECT m.id AS memberId, mt.issue_number AS issueNumber, mt.id AS id
      FROM member m LEFT JOIN member_ticket mt ON mt.member_id = m.id AND mt.ticket_id = ${ticketId}
      WHERE m.id IN (${Prisma.join(distinct)})`;
    const found = new Set(rows.map((row) => Number(row.memberId)));
    const committed = rows
      .filter((row) => row.issueNumber !== null && row.id !== null)
      .map((row) => ({ id: Number(row.id), memberId: Number(row.memberId), issueNumber: Number(row.issueNumber) }))
      .sort((a, b) => a.issueNumber - b.issueNumber);
    return { committed, missingMemberIds: distinct.filter((id) => !found.has(id)) };
  }

  commitBatch(commit: BatchCommit): Promise<CommitResult> {
    return commitBatch(this.#prisma, commit);
  }
}
