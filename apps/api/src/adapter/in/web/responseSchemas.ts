import { z } from 'zod';
import { DEFAULT_PAGE_SIZE } from './requestSchemas.js';
import './zodOpenApi.js';

// The response bodies' schemas: each types what a handler answers and writes the OpenAPI document.

const timestamp = (description: string) => z.iso.datetime().openapi({ description, example: '2025-01-01T01:00:00.000Z' });

export const MemberBody = z
  .object({
    id: z.int().openapi({ example: 1 }),
    name: z.string().openapi({ example: '홍길동' }),
    createdAt: timestamp('When the member was created'),
  })
  .openapi('Member');

const TicketStatusSchema = z.enum(['SCHEDULED', 'OPEN', 'SOLD_OUT', 'CLOSED']).openapi('TicketStatus');

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
    position: z.int().min(0).nullable().openapi({
      description: 'PENDING: how many requests of the ticket are ahead of this one (0: next); it never goes up. null once decided',
    }),
    estimatedWaitMs: z.int().min(0).nullable().openapi({
      description:
        "PENDING: the estimated wait until the decision at the ticket's recent pace; null when there is no recent pace, and once decided",
    }),
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
    .object({
      items: z.array(item),
      page: z.int().openapi({ example: 1 }),
      size: z.int().openapi({ example: DEFAULT_PAGE_SIZE }),
      total: z.int(),
    })
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
