import { describe, expect, test } from '@jest/globals';
import {
  decidedState,
  isLost,
  issuedState,
  lostState,
  type MemberTicket,
  QueueUnavailableError,
  type QueuedRequest,
  StoreUnavailableError,
} from '../src/index.js';

const request: QueuedRequest = { requestId: '7-3-0badcafe-0000000000000001', ticketId: 7, memberId: 3, acceptedAt: 1_000 };
const decidedAt = 5_000;

describe('the states a request is read in', () => {
  test('decidedState: an issued request carries its number and row, no reason', () => {
    expect(decidedState(request, { status: 'ISSUED', issueNumber: 4, memberTicketId: 1004, decidedAt })).toEqual({
      requestId: request.requestId,
      ticketId: 7,
      memberId: 3,
      status: 'ISSUED',
      reason: null,
      issueNumber: 4,
      memberTicketId: 1004,
      acceptedAt: new Date(1_000),
      decidedAt: new Date(decidedAt),
      position: null,
      estimatedWaitMs: null,
    });
  });

  test('decidedState: a rejected or failed request carries its reason, no number and no row', () => {
    for (const outcome of [
      { status: 'REJECTED', reason: 'SOLD_OUT', decidedAt },
      { status: 'FAILED', reason: 'MEMBER_NOT_FOUND', decidedAt },
    ] as const) {
      expect(decidedState(request, outcome)).toMatchObject({
        status: outcome.status,
        reason: outcome.reason,
        issueNumber: null,
        memberTicketId: null,
        decidedAt: new Date(decidedAt),
      });
    }
  });

  test('issuedState: from the database row, with acceptedAt only while the queue still knows it', () => {
    const issue: MemberTicket = {
      id: 1009,
      ticketId: 7,
      memberId: 3,
      issueNumber: 9,
      requestId: request.requestId,
      issuedAt: new Date(decidedAt),
      usedAt: null,
    };
    expect(issuedState(issue, null)).toMatchObject({ status: 'ISSUED', issueNumber: 9, memberTicketId: 1009, acceptedAt: null });
    expect(issuedState(issue, 1_000)).toMatchObject({ acceptedAt: new Date(1_000), decidedAt: new Date(decidedAt) });
  });

  test('isLost: only a request failed because the queue lost its data', () => {
    expect(isLost(lostState(request.requestId, 7, 3))).toBe(true);
    expect(isLost(decidedState(request, { status: 'FAILED', reason: 'MEMBER_NOT_FOUND', decidedAt }))).toBe(false);
    expect(isLost(decidedState(request, { status: 'REJECTED', reason: 'SOLD_OUT', decidedAt }))).toBe(false);
    expect(isLost(decidedState(request, { status: 'ISSUED', issueNumber: 1, memberTicketId: 1001, decidedAt }))).toBe(false);
    // A state whose reason says lost but whose status does not is not lost.
    expect(isLost({ ...lostState(request.requestId, 7, 3), status: 'PENDING' })).toBe(false);
  });
});

describe('unavailability errors', () => {
  test('name the unavailable service and keep the error behind it', () => {
    const cause = new Error('connect ECONNREFUSED');
    const store = new StoreUnavailableError(cause);
    expect(store).toBeInstanceOf(Error);
    expect([store.name, store.message, store.cause]).toEqual(['StoreUnavailableError', 'the database is unavailable', cause]);
    const queue = new QueueUnavailableError(cause);
    expect([queue.name, queue.message, queue.cause]).toEqual(['QueueUnavailableError', 'the issue queue is unavailable', cause]);
  });
});
