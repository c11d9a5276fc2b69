import type { NewMemberTicket } from '@ticketing/core';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { newGeneration } from '../src/generation.js';

let counter = 0;
/** A name no other test in the run uses (names are UNIQUE and suites share their database). */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

export async function createTicketRow(prisma: PrismaClient, totalQuantity = 1000, closeAt: Date | null = null): Promise<number> {
  const ticket = await prisma.ticket.create({
    data: { name: uniqueName('ticket'), totalQuantity, openAt: new Date('2026-01-01T00:00:00Z'), closeAt, generation: newGeneration() },
  });
  return ticket.id;
}

export async function createMemberRows(prisma: PrismaClient, count: number): Promise<number[]> {
  const names = Array.from({ length: count }, () => uniqueName('member'));
  await prisma.member.createMany({ data: names.map((name) => ({ name })) });
  const rows = await prisma.member.findMany({ where: { name: { in: names } }, select: { id: true }, orderBy: { id: 'asc' } });
  return rows.map((row) => row.id);
}

/** The batch decideBatch would produce for these members, numbered from `issuedQuantity`. */
export function issuesFor(memberIds: readonly number[], issuedQuantity: number): NewMemberTicket[] {
  return memberIds.map((memberId, index) => ({
    requestId: uniqueName(`request-${memberId}`),
    memberId,
    issueNumber: issuedQuantity + index + 1,
  }));
}

export async function ticketRow(prisma: PrismaClient, ticketId: number): Promise<{ issuedQuantity: number; fencingToken: bigint }> {
  return prisma.ticket.findUniqueOrThrow({ where: { id: ticketId }, select: { issuedQuantity: true, fencingToken: true } });
}

export async function issueRows(prisma: PrismaClient, ticketId: number) {
  return prisma.memberTicket.findMany({ where: { ticketId }, orderBy: { issueNumber: 'asc' } });
}
