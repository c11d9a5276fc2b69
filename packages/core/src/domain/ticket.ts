export interface Ticket {
  id: number;
  name: string;
  totalQuantity: number;
  issuedQuantity: number;
  openAt: Date;
  closeAt: Date | null;
  createdAt: Date;
}

export type TicketStatus = 'SCHEDULED' | 'OPEN' | 'SOLD_OUT' | 'CLOSED';

/** Whether a request sent at `now` may enter the queue at all, judged by the ticket's times. */
export type SalesWindow = 'NOT_OPEN' | 'OPEN' | 'CLOSED';

export const MAX_TOTAL_QUANTITY = 10_000_000;

export function salesWindow(ticket: Pick<Ticket, 'openAt' | 'closeAt'>, now: Date): SalesWindow {
  if (now < ticket.openAt) return 'NOT_OPEN';
  if (ticket.closeAt !== null && now >= ticket.closeAt) return 'CLOSED';
  return 'OPEN';
}

export function remainingQuantity(ticket: Pick<Ticket, 'totalQuantity' | 'issuedQuantity'>): number {
  return Math.max(0, ticket.totalQuantity - ticket.issuedQuantity);
}

// A ticket that sold out stays SOLD_OUT after its close time: "sold out" is the more useful answer.
export function ticketStatus(ticket: Ticket, now: Date): TicketStatus {
  const window = salesWindow(ticket, now);
  if (window === 'NOT_OPEN') return 'SCHEDULED';
  if (remainingQuantity(ticket) === 0) return 'SOLD_OUT';
  return window === 'CLOSED' ? 'CLOSED' : 'OPEN';
}
