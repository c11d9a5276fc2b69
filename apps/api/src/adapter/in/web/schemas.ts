import { MAX_TOTAL_QUANTITY } from '@ticketing/core';
import { z } from 'zod';
import { canonicalInteger, idField, idParam, integerText, MAX_ID } from './ids.js';
import './zodOpenApi.js';

// One schema per request and response body: it validates, it types the handlers, and it writes
// the OpenAPI document, so the three cannot drift apart.

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_WAIT_MS = 30_000;

// Control characters and unpaired surrogates would be stored as garbage (or refused by MySQL).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const name = (description: string, example: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(100)
    .refine((text) => !UNPAIRED_SURROGATE.test(text) && !CONTROL_CHARACTERS.test(text), { params: { rule: 'NAME_CHARACTERS' } })
    .openapi({ description, example });

const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An instant with its offset; MySQL DATETIME keeps years 1000..9999, the API 1970..9999. */
const instant = (description: string, example: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((text) => new Date(text))
    .refine((date) => date.getTime() >= EARLIEST && date.getTime() <= LATEST, { params: { rule: 'DATE_TIME_RANGE' } })
    .openapi({ description, example });

const timestamp = (description: string) => z.iso.datetime().openapi({ description, example: '2025-01-01T01:00:00.000Z' });

// ---- path parameters

export const TicketPath = z.strictObject({ ticketId: idParam('The ticket id') });
export const MemberPath = z.strictObject({ memberId: idParam('The member id') });
export const MemberTicketPath = z.strictObject({ memberId: idParam('The member id'), ticketId: idParam('The ticket id') });
export const IssueRequestPath = z.strictObject({
  requestId: z.string().openapi({ description: 'The opaque id returned by the submission', example: '1-eb46eb4551a8786ea487' }),
});

// ---- query strings

const paging = {
  page: integerText(1, MAX_ID, '1-based page number (default 1)').optional(),
  size: integerText(1, MAX_PAGE_SIZE, `Items per page, 1..${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`).optional(),
};

export const PageQuery = z.strictObject(paging).transform(withPageDefaults).superRefine(offsetFits);

/** `?name=` finds one by its name; otherwise a page of all. */
export const NamedOrPageQuery = z
  .strictObject({ name: name('Exact name to look up (surrounding spaces ignored)', '홍길동').optional(), ...paging })
  .superRefine((query, ctx) => {
    if (query.name !== undefined && (query.page !== undefined || query.size !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['name'], params: { rule: 'NAME_OR_PAGE' } });
    }
  })
  .transform((query) => ({ name: query.name, ...withPageDefaults(query) }))
  .superRefine(offsetFits);

export const WaitQuery = z.strictObject({
  waitMs: integerText(0, MAX_WAIT_MS, `Long-poll: answer as soon as the request is decided, or after this many ms (0..${MAX_WAIT_MS}, default 0)`).optional(),
});

function withPageDefaults(query: { page?: number | undefined; size?: number | undefined }) {
  return { page: query.page ?? 1, size: query.size ?? DEFAULT_PAGE_SIZE };
}

/** Keeps the row offset a 32-bit integer, which every store can take. */
function offsetFits(query: { page: number; size: number }, ctx: z.RefinementCtx): void {
  if ((query.page - 1) * query.size > MAX_ID) ctx.addIssue({ code: 'custom', path: ['page'], params: { rule: 'PAGE_RANGE' } });
}

// ---- request bodies

export const NewMemberBody = z.strictObject({ name: name('The member name, unique', '홍길동') }).openapi('NewMember');

export const NewTicketBody = z
  .strictObject({
    name: name('The ticket name, unique', '2025 봄 콘서트 R석'),
    totalQuantity: z.int().min(1).max(MAX_TOTAL_QUANTITY).openapi({ description: 'How many can be issued', example: 1000 }),
    openAt: instant('When sales open (default: now)', '2025-01-01T10:00:00+09:00').optional(),
    closeAt: instant('When sales close (must be after openAt; absent or null: never)', '2025-01-01T18:00:00+09:00').nullable().optional(),
  })
  .openapi('NewTicket');

export const NewIssueRequestBody = z.strictObject({ memberId: idField('The member asking for the ticket') }).openapi('NewIssueRequest');

// ---- the submission's usual input, recognised without zod (see Endpoint.fastInput)

/** What TicketPath gives for `params`, when `params` is exactly a canonical ticket id; else null. */
export function plainTicketPath(params: unknown): { ticketId: number } | null {
  const text = onlyField(params, 'ticketId');
  const ticketId = typeof text === 'string' ? canonicalInteger(text, 1, MAX_ID) : null;
  return ticketId === null ? null : { ticketId };
}

/** What NewIssueRequestBody gives for `body`, when `body` is exactly `{"memberId": <id>}`; else null. */
export function plainNewIssueRequest(body: unknown): { memberId: number } | null {
  const memberId = onlyField(body, 'memberId');
  return typeof memberId === 'number' && Number.isSafeInteger(memberId) && memberId >= 1 && memberId <= MAX_ID ? { memberId } : null;
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

/** Using a ticket takes no input; an empty object is allowed too. */
export const UseTicketBody = z.strictObject({}).optional();

// ---- response bodies

export const MemberBody = z
  .object({ id: z.int().openapi({ example: 1 }), name: z.string().openapi({ example: '홍길동' }), createdAt: timestamp('When the member was created') })
  .openapi('Member');

export const TicketStatusSchema = z.enum(['SCHEDULED', 'OPEN', 'SOLD_OUT', 'CLOSED']).openapi('TicketStatus');

export const TicketBody = z
  .object({
    id: z.int().openapi({ example: 1 }),
    name: z.string().openapi({ example: '2025 봄 콘서트 R석' }),
    totalQuantity: z.int().openapi({ example: 1000 }),
    issuedQuantity: z.int().openapi({ example: 250 }),
    remainingQuantity: z.int().openapi({ example: 750 }),
    openAt: timestamp('When sales open'),
    closeAt: timestamp('When sales close').nullable(),
    status: TicketStatusSchema,
  })
  .openapi('Ticket');

export const IssueRequestBody = z
  .object({
    requestId: z.string().openapi({ description: 'Opaque id of the request' }),
    ticketId: z.int(),
    memberId: z.int(),
    status: z.enum(['PENDING', 'ISSUED', 'REJECTED', 'FAILED']),
    reason: z.string().nullable().openapi({ description: 'REJECTED: SOLD_OUT or CLOSED; FAILED: why (e.g. QUEUE_DATA_LOST)' }),
    issueNumber: z.int().nullable().openapi({ description: 'ISSUED: 1..totalQuantity, in queue order' }),
    memberTicketId: z.int().nullable().openapi({ description: 'ISSUED: the id of the issued member ticket' }),
    acceptedAt: timestamp('When the API accepted the request').nullable(),
    decidedAt: timestamp('When the request was decided').nullable(),
  })
  .openapi('IssueRequest');

export const MemberTicketBody = z
  .object({
    id: z.int(),
    ticketId: z.int(),
    memberId: z.int(),
    issueNumber: z.int(),
    requestId: z.string(),
    issuedAt: timestamp('When the ticket was issued'),
    usedAt: timestamp('When the ticket was used').nullable(),
  })
  .openapi('MemberTicket');

const pageOf = <T extends z.ZodType>(item: T, title: string) =>
  z
    .object({ items: z.array(item), page: z.int().openapi({ example: 1 }), size: z.int().openapi({ example: DEFAULT_PAGE_SIZE }), total: z.int() })
    .openapi(title);

export const MemberPage = pageOf(MemberBody, 'MemberPage');
export const TicketPage = pageOf(TicketBody, 'TicketPage');
export const MemberTicketPage = pageOf(MemberTicketBody, 'MemberTicketPage');
export const MemberTicketList = z.object({ items: z.array(MemberTicketBody) }).openapi('MemberTicketList');

export const ProblemBody = z
  .object({
    type: z.string().openapi({ example: 'urn:ticketing:problem:sold-out' }),
    title: z.string().openapi({ example: '매진되었습니다' }),
    status: z.int().openapi({ example: 409 }),
    detail: z.string(),
    code: z.string().openapi({ example: 'SOLD_OUT' }),
    instance: z.string().openapi({ example: '/api/v1/tickets/1/issue-requests' }),
    errors: z.array(z.object({ path: z.string().openapi({ example: 'body.totalQuantity' }), message: z.string() })).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details; Korean by default, English with Accept-Language: en' });

export const HealthBody = z.object({ status: z.literal('ok') }).openapi('Health');

export const ReadinessBody = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.object({ database: z.enum(['up', 'down']), redis: z.enum(['up', 'down']) }),
  })
  .openapi('Readiness');

export type MemberBody = z.infer<typeof MemberBody>;
export type TicketBody = z.infer<typeof TicketBody>;
export type IssueRequestBody = z.infer<typeof IssueRequestBody>;
export type MemberTicketBody = z.infer<typeof MemberTicketBody>;
