import { errorChain, QueueUnavailableError, StoreUnavailableError } from '@ticketing/core';
import { BODY_LIMIT_BYTES } from './jsonBodyReader.js';
import { Problem, validationProblem } from './problem.js';

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
