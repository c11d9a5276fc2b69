import { errorChain, QueueUnavailableError, StoreUnavailableError } from '@ticketing/core';
import type { Request, Response } from 'express';
import { fill, problemMessages, validationMessages, type Language, type ProblemCode, type ValidationRule } from './messages.js';

/** The one place a problem code becomes an HTTP status. */
export const problemStatus: Record<ProblemCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  MEMBER_NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  ISSUE_REQUEST_NOT_FOUND: 404,
  MEMBER_TICKET_NOT_FOUND: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  MEMBER_NAME_TAKEN: 409,
  TICKET_NAME_TAKEN: 409,
  TICKET_HAS_ISSUES: 409,
  SOLD_OUT: 409,
  NOT_OPEN: 409,
  CLOSED: 409,
  ALREADY_USED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL_ERROR: 500,
  QUEUE_UNAVAILABLE: 503,
  DATABASE_UNAVAILABLE: 503,
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

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

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  instance: string;
  errors?: Array<{ path: string; message: string }>;
}

export function problemType(code: ProblemCode): string {
  return `urn:ticketing:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

export function problemDocument(problem: Problem, language: Language, instance: string): ProblemDocument {
  const text = problemMessages[problem.code][language];
  const document: ProblemDocument = {
    type: problemType(problem.code),
    title: text.title,
    status: problem.status,
    detail: fill(text.detail, problem.options.params ?? {}),
    code: problem.code,
    instance,
  };
  if (problem.options.errors) {
    document.errors = problem.options.errors.map((error) => ({
      path: error.path,
      message: fill(validationMessages[error.rule][language], localized(error.params ?? {}, language)),
    }));
  }
  return document;
}

/** Parameters may themselves be texts in both languages (`{ ko, en }`). */
function localized(params: Readonly<Record<string, unknown>>, language: Language): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    result[name] = typeof value === 'object' && value !== null && language in value ? (value as Record<Language, unknown>)[language] : value;
  }
  return result;
}

/** Korean unless the client prefers English. */
export function preferredLanguage(req: Request): Language {
  return req.acceptsLanguages('ko', 'en') === 'en' ? 'en' : 'ko';
}

export function sendProblem(req: Request, res: Response, problem: Problem): void {
  const language = preferredLanguage(req);
  for (const [name, value] of Object.entries(problem.options.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Content-Language', language);
  res.vary('Accept-Language');
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).json(problemDocument(problem, language, req.originalUrl));
}

/** What a thrown error means to the client. */
export function problemFromError(error: unknown): Problem {
  if (causedBy(error, QueueUnavailableError)) return new Problem('QUEUE_UNAVAILABLE', { headers: { 'Retry-After': '1' } });
  if (causedBy(error, StoreUnavailableError)) return new Problem('DATABASE_UNAVAILABLE', { headers: { 'Retry-After': '1' } });
  const status = transportStatus(error);
  // Errors raised by Express and body-parser while reading the request: the client's fault.
  if (status === 413) return new Problem('PAYLOAD_TOO_LARGE', { params: { limit: BODY_LIMIT_BYTES } });
  if (status === 415) return new Problem('UNSUPPORTED_MEDIA_TYPE');
  if (status === 404) return new Problem('NOT_FOUND');
  if (status !== null && status >= 400 && status < 500) {
    const malformed = (error as { type?: unknown }).type === 'entity.parse.failed';
    return validationProblem([malformed ? { path: 'body', rule: 'MALFORMED_JSON' } : { path: 'request', rule: 'INVALID' }]);
  }
  return new Problem('INTERNAL_ERROR');
}

export const BODY_LIMIT_BYTES = 16 * 1024;

/** Whether `error`, or an error behind it, is of `kind` (by class, or by name across copies of core). */
function causedBy(error: unknown, kind: typeof QueueUnavailableError | typeof StoreUnavailableError): boolean {
  for (const link of errorChain(error)) {
    if (link instanceof kind || link.name === kind.name) return true;
  }
  return false;
}

/**
 * The status an error from Express or body-parser carries (http-errors style). Express's router
 * marks an undecodable path parameter 400 without `expose`, so any 4xx counts as the client's.
 */
function transportStatus(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number') return null;
  return expose === true || (status >= 400 && status < 500) ? status : null;
}
