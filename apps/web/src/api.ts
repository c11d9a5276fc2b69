import { currentLang } from './i18n.js';

export type TicketStatus = 'SCHEDULED' | 'OPEN' | 'SOLD_OUT' | 'CLOSED';

export interface Ticket {
  id: number;
  name: string;
  totalQuantity: number;
  issuedQuantity: number;
  remainingQuantity: number;
  openAt: string;
  closeAt: string | null;
  status: TicketStatus;
}

export interface IssueRequest {
  requestId: string;
  ticketId: number;
  status: 'PENDING' | 'ISSUED' | 'REJECTED' | 'FAILED';
  reason: string | null;
  issueNumber: number | null;
  /** G11: an integer while PENDING. Optional here: a server without G11 leaves it out. */
  position?: number | null;
  estimatedWaitMs?: number | null;
}

/** A problem response (RFC 9457) or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly retryAfterS: number | null = null,
  ) {
    super(`${status} ${code}: ${detail}`);
  }
}

export function headersFor(token: string | null): Record<string, string> {
  const headers: Record<string, string> = { 'Accept-Language': currentLang() };
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

async function call<T>(method: string, path: string, token: string | null, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers = headersFor(token);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      cache: 'no-store',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'NETWORK', String(error));
  }
  const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (response.ok) return json as T;
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new ApiError(
    response.status,
    typeof json?.code === 'string' ? json.code : `HTTP_${response.status}`,
    typeof json?.detail === 'string' ? json.detail : response.statusText,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
}

interface Page<T> {
  items: T[];
  total: number;
}

const PAGE_SIZE = 100;
const MOST_PAGES = 10;

/** Tickets still to be had (on sale or upcoming). The list is by id, so every page is read, up to 1,000 tickets. */
export async function openAndUpcomingTickets(): Promise<Ticket[]> {
  const found: Ticket[] = [];
  for (let page = 1; page <= MOST_PAGES; page += 1) {
    const { items, total } = await call<Page<Ticket>>('GET', `/api/v1/tickets?page=${page}&size=${PAGE_SIZE}`, null);
    found.push(...items.filter((ticket) => ticket.status === 'OPEN' || ticket.status === 'SCHEDULED'));
    if (page * PAGE_SIZE >= total) break;
  }
  return found;
}

/** Every ticket (for the console's choice), up to 1,000. */
export async function allTickets(): Promise<Ticket[]> {
  const found: Ticket[] = [];
  for (let page = 1; page <= MOST_PAGES; page += 1) {
    const { items, total } = await call<Page<Ticket>>('GET', `/api/v1/tickets?page=${page}&size=${PAGE_SIZE}`, null);
    found.push(...items);
    if (page * PAGE_SIZE >= total) break;
  }
  return found;
}

/** Asks for the ticket as the token's member (`{}`: the member is the token's `sub`). */
export function ask(ticketId: number, token: string): Promise<IssueRequest> {
  return call<IssueRequest>('POST', `/api/v1/tickets/${ticketId}/issue-requests`, token, {});
}

/** The request's state; with waitMs the server holds the answer until it is decided or the wait ends. */
export function poll(requestId: string, token: string, waitMs: number, signal: AbortSignal): Promise<IssueRequest> {
  return call<IssueRequest>('GET', `/api/v1/issue-requests/${encodeURIComponent(requestId)}?waitMs=${waitMs}`, token, undefined, signal);
}
