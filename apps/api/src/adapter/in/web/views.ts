import { remainingQuantity, ticketStatus, type IssueRequestView, type Member, type MemberTicket, type Page, type Ticket } from '@ticketing/core';
import type { IssueRequestResponse, MemberTicketView, MemberView, TicketView } from './schemas.js';

// Domain values to response bodies: exactly the fields docs/CONTRACT.md names, times as ISO-8601 UTC.

const iso = (date: Date): string => date.toISOString();
const isoOrNull = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function memberView(member: Member): MemberView {
  return { id: member.id, name: member.name, createdAt: iso(member.createdAt) };
}

export function ticketView(ticket: Ticket, now: Date): TicketView {
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

export function issueRequestView(request: IssueRequestView): IssueRequestResponse {
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
  };
}

export function memberTicketView(issue: MemberTicket): MemberTicketView {
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

export function pageView<T, V>(page: Page<T>, view: (item: T) => V): { items: V[]; page: number; size: number; total: number } {
  return { items: page.items.map(view), page: page.page, size: page.size, total: page.total };
}
