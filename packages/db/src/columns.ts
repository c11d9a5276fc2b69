import type { Prisma } from './generated/prisma/client.js';

// Each select names exactly the domain type's fields, so a row comes back already in domain shape
// and a column added to the schema does not leak into answers.

export const ticketColumns = {
  id: true,
  name: true,
  totalQuantity: true,
  issuedQuantity: true,
  openAt: true,
  closeAt: true,
  createdAt: true,
  generation: true,
  stateRemovedAt: true,
} as const satisfies Prisma.TicketSelect;

export const memberColumns = { id: true, name: true, createdAt: true } as const satisfies Prisma.MemberSelect;

export const memberTicketColumns = {
  id: true,
  ticketId: true,
  memberId: true,
  issueNumber: true,
  requestId: true,
  issuedAt: true,
  usedAt: true,
} as const satisfies Prisma.MemberTicketSelect;
