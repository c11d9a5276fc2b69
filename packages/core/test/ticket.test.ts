import { describe, expect, test } from '@jest/globals';
import { salesWindow, ticketRef, ticketStatus, type Ticket } from '../src/index.js';

const at = (iso: string) => new Date(iso);
const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  id: 1,
  name: 't',
  totalQuantity: 10,
  issuedQuantity: 0,
  openAt: at('2026-01-01T00:00:00Z'),
  closeAt: at('2026-01-02T00:00:00Z'),
  createdAt: at('2025-12-01T00:00:00Z'),
  generation: '0'.repeat(40),
  stateRemovedAt: null,
  ...over,
});

describe('ticket status', () => {
  test('follows the sales window and the stock', () => {
    expect(ticketStatus(ticket(), at('2025-12-31T23:59:59Z'))).toBe('SCHEDULED');
    expect(ticketStatus(ticket(), at('2026-01-01T00:00:00Z'))).toBe('OPEN');
    expect(ticketStatus(ticket(), at('2026-01-02T00:00:00Z'))).toBe('CLOSED');
    expect(ticketStatus(ticket({ issuedQuantity: 10 }), at('2026-01-01T12:00:00Z'))).toBe('SOLD_OUT');
    expect(ticketStatus(ticket({ issuedQuantity: 10 }), at('2026-02-01T00:00:00Z'))).toBe('SOLD_OUT');
    expect(ticketStatus(ticket({ closeAt: null }), at('2099-01-01T00:00:00Z'))).toBe('OPEN');
  });

  test('the window opens at openAt and closes at closeAt, inclusive of open, exclusive of close', () => {
    expect(salesWindow(ticket(), at('2026-01-01T00:00:00Z'))).toBe('OPEN');
    expect(salesWindow(ticket(), at('2026-01-01T23:59:59.999Z'))).toBe('OPEN');
    expect(salesWindow(ticket(), at('2026-01-02T00:00:00Z'))).toBe('CLOSED');
    expect(salesWindow(ticket(), at('2025-12-31T23:59:59.999Z'))).toBe('NOT_OPEN');
  });
});

describe('ticketRef', () => {
  test('names a row’s queue by its id and the first 8 hex of its generation (the epoch)', () => {
    expect(ticketRef(7, `0badcafe${'1'.repeat(32)}`)).toEqual({ ticketId: 7, epoch: '0badcafe' });
  });
});
