import { canonicalInteger, MAX_ID } from './ids.js';

// The submission's usual input, recognised without zod (see Endpoint.fastInput).

/** What TicketPath gives for `params`, when `params` is exactly a canonical ticket id; else null. */
export function plainTicketPath(params: unknown): { ticketId: number } | null {
  const text = onlyField(params, 'ticketId');
  const ticketId = typeof text === 'string' ? canonicalInteger(text, 1, MAX_ID) : null;
  return ticketId === null ? null : { ticketId };
}

/** What NewIssueRequestBody gives for `body`, when `body` is exactly `{"memberId": <id>}` or `{}`; else null. */
export function plainNewIssueRequest(body: unknown): { memberId?: number } | null {
  if (isEmptyObject(body)) return {};
  const memberId = onlyField(body, 'memberId');
  return typeof memberId === 'number' && Number.isSafeInteger(memberId) && memberId >= 1 && memberId <= MAX_ID ? { memberId } : null;
}

/** `{}` as JSON.parse makes it: a plain object with no field, own or inherited. */
function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && Object.keys(value).length === 0
  );
}

/** The value of an object's only own field when that field is `name`; undefined otherwise. */
function onlyField(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  let found = false;
  for (const key in value) {
    if (key !== name || !Object.hasOwn(value, key)) return undefined;
    found = true;
  }
  return found ? (value as Record<string, unknown>)[name] : undefined;
}
