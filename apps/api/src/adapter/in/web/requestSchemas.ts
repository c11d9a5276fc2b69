import { MAX_TOTAL_QUANTITY } from '@ticketing/core';
import { z } from 'zod';
import { idField, idParam, integerText, MAX_ID } from './ids.js';
import './zodOpenApi.js';

// The request's schemas (path parameters, query strings, bodies): each validates, types the
// handlers, and writes the OpenAPI document, so the three cannot drift apart.

const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
const MAX_WAIT_MS = 30_000;

// Control characters and unpaired surrogates would be stored as garbage (or refused by MySQL).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
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
  waitMs: integerText(
    0,
    MAX_WAIT_MS,
    `Long-poll: answer as soon as the request is decided, or after this many ms (0..${MAX_WAIT_MS}, default 0)`,
  ).optional(),
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

export const NewIssueRequestBody = z
  .strictObject({ memberId: idField("The member asking for the ticket: the token's own (the default), no other").optional() })
  .openapi('NewIssueRequest');

/** Using a ticket takes no input; an empty object is allowed too. */
export const UseTicketBody = z.strictObject({}).optional();
