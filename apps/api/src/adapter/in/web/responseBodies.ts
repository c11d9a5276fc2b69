import {
  remainingQuantity,
  ticketStatus,
  type IssueRequestState,
  type Member,
  type MemberTicket,
  type Page,
  type Ticket,
} from '@ticketing/core';
import type { IssueRequestBody, MemberBody, MemberTicketBody, TicketBody } from './responseSchemas.js';

// Domain values to response bodies: exactly the fields docs/CONTRACT.md names, times as ISO-8601 UTC.

const iso = (date: Date): string => date.toISOString();
const isoOrNull = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function toMemberBody(member: Member): MemberBody {
  return { id: member.id, name: member.name, createdAt: iso(member.createdAt) };
}

export function toTicketBody(ticket: Ticket, now: Date): TicketBody {
  return {
    id: ticket.id,
    name: ticket.name,
    totalQuantity: ticket.totalQuantity,
    issuedQuantity: ticket.issuedQuantity,
    remainingQuantity: remainingQuantity(ticket),
    openAt: iso(ticket.openAt),
    closeAt: isoOrNull(ticket.closeAt),
    status: ticketStatus(ticket, now),
  };
}

export function toIssueRequestBody(request: IssueRequestState): IssueRequestBody {
  return {
    requestId: request.requestId,
    ticketId: request.ticketId,
    memberId: request.memberId,
    status: request.status,
    reason: request.reason,
    issueNumber: request.issueNumber,
    memberTicketId: request.memberTicketId,
    acceptedAt: isoOrNull(request.acceptedAt),
    decidedAt: isoOrNull(request.decidedAt),
    position: request.position,
    estimatedWaitMs: request.estimatedWaitMs,
  };
}

export function toMemberTicketBody(issue: MemberTicket): MemberTicketBody {
  return {
    id: issue.id,
    ticketId: issue.ticketId,
    memberId: issue.memberId,
    issueNumber: issue.issueNumber,
    requestId: issue.requestId,
    issuedAt: iso(issue.issuedAt),
    usedAt: isoOrNull(issue.usedAt),
  };
}

export function toPageBody<T, B>(page: Page<T>, toBody: (item: T) => B): { items: B[]; page: number; size: number; total: number } {
  return { items: page.items.map(toBody), page: page.page, size: page.size, total: page.total };
}
