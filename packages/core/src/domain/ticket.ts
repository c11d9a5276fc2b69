export interface Ticket {
  id: number;
  name: string;
  totalQuantity: number;
  issuedQuantity: number;
  openAt: Date;
  closeAt: Date | null;
  createdAt: Date;
  /**
   * 40 random hex written when the row is created, never shown: the ticket's Redis state is bound
   * to it (keys, request-id seals, fencing), so after a database reset or restore that reuses the
   * id, state of the earlier row is never read.
   */
  generation: string;
  /** When the workers removed its Redis state (RESULT_TTL_S after its sale ended); null while kept. */
  stateRemovedAt: Date | null;
}

/**
 * One ticket row's queue: the id and the epoch (first 8 hex of the row's generation) that names
 * its Redis keys and appears in its request ids. Another row with the same id has another epoch.
 */
export interface TicketRef {
  ticketId: number;
  epoch: string;
}

export function ticketRef(ticketId: number, generation: string): TicketRef {
  return { ticketId, epoch: generation.slice(0, 8) };
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
