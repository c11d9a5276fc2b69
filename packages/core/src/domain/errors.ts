/**
 * Every way a use case can refuse, as a value. The API maps each code to an HTTP status and a
 * problem document in one table; nothing else decides what a client sees.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'MEMBER_NOT_FOUND'
  | 'MEMBER_NAME_TAKEN'
  | 'TICKET_NOT_FOUND'
  | 'TICKET_NAME_TAKEN'
  | 'TICKET_HAS_ISSUES'
  | 'SOLD_OUT'
  | 'NOT_OPEN'
  | 'CLOSED'
  | 'ISSUE_REQUEST_NOT_FOUND'
  | 'ISSUE_REQUEST_EXPIRED'
  | 'MEMBER_TICKET_NOT_FOUND'
  | 'ALREADY_USED'
  | 'QUEUE_UNAVAILABLE'
  | 'DATABASE_UNAVAILABLE';

export interface DomainError {
  code: ErrorCode;
  /**
   * The member whose request the refusal is about, where it matters who may hear it
   * (ISSUE_REQUEST_EXPIRED): anyone else must get the answer a made-up id gets.
   */
  owner?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: ErrorCode, details: Omit<DomainError, 'code'> = {}): Result<T> => ({
  ok: false,
  error: { code, ...details },
});

/** Thrown by store adapters when the database cannot be reached right now. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(cause?: unknown) {
    super('the database is unavailable', { cause });
  }
}

/** Thrown by queue adapters when Redis cannot take or answer a request right now. */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
  constructor(cause?: unknown) {
    super('the issue queue is unavailable', { cause });
  }
}
