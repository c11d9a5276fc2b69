import type { ProblemCode, ValidationRule } from './messages.js';

/** The one place a problem code becomes an HTTP status. */
export const problemStatus: Record<ProblemCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  MEMBER_NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  ISSUE_REQUEST_NOT_FOUND: 404,
  MEMBER_TICKET_NOT_FOUND: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  ISSUE_REQUEST_EXPIRED: 410,
  MEMBER_NAME_TAKEN: 409,
  TICKET_NAME_TAKEN: 409,
  TICKET_HAS_ISSUES: 409,
  SOLD_OUT: 409,
  NOT_OPEN: 409,
  CLOSED: 409,
  ALREADY_USED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  QUEUE_UNAVAILABLE: 503,
  DATABASE_UNAVAILABLE: 503,
  AUTH_UNAVAILABLE: 503,
};

/** One refused field, language-neutral until it is written. */
export interface FieldError {
  /** Where the value was: `body.totalQuantity`, `params.ticketId`, `query.waitMs`. */
  path: string;
  rule: ValidationRule;
  params?: Readonly<Record<string, unknown>>;
}

export interface ProblemOptions {
  errors?: readonly FieldError[];
  /** Fills the `{placeholders}` of the detail text. */
  params?: Readonly<Record<string, unknown>>;
  headers?: Readonly<Record<string, string>>;
}

/** A refusal on its way to the client, written in the client's language at the last moment. */
export class Problem {
  readonly kind = 'problem';
  constructor(
    readonly code: ProblemCode,
    readonly options: ProblemOptions = {},
  ) {}

  get status(): number {
    return problemStatus[this.code];
  }
}

export const validationProblem = (errors: readonly FieldError[]): Problem => new Problem('VALIDATION_FAILED', { errors });
