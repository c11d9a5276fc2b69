import type { AppDeps } from '../../../../appDeps.js';
import { endpoint, LOCATION, type Endpoint } from '../endpoint.js';
import { Problem, validationProblem } from '../problem.js';
import { empty, json } from '../reply.js';
import { NamedOrPageQuery, NewTicketBody, PageQuery, TicketPath } from '../requestSchemas.js';
import { toMemberTicketBody, toPageBody, toTicketBody } from '../responseBodies.js';
import { MemberTicketPage, TicketBody, TicketPage } from '../responseSchemas.js';

const BASE = '/api/v1/tickets';
const TAGS = ['tickets'];

export function ticketEndpoints({
  tickets,
  clock,
  forgetTicket,
  removeStateLater,
}: Pick<AppDeps, 'tickets' | 'clock' | 'forgetTicket' | 'removeStateLater'>): Endpoint[] {
  return [
    endpoint({
      method: 'post',
      path: BASE,
      operationId: 'createTicket',
      summary: 'Create a ticket',
      tags: TAGS,
      access: 'admin',
      body: NewTicketBody,
      responses: { 201: { description: 'Created; Location names it', schema: TicketBody, headers: LOCATION } },
      problems: ['VALIDATION_FAILED', 'TICKET_NAME_TAKEN'],
      async handle({ body }) {
        const now = clock.now();
        const openAt = body.openAt ?? now;
        const closeAt = body.closeAt ?? null;
        if (closeAt !== null && closeAt <= openAt) return validationProblem([{ path: 'body.closeAt', rule: 'CLOSE_AFTER_OPEN' }]);
        const created = await tickets.createTicket({ name: body.name, totalQuantity: body.totalQuantity, openAt, closeAt });
        if (!created.ok) return new Problem(created.error.code);
        forgetTicket(created.value.id);
        return json(201, toTicketBody(created.value, now), { Location: `${BASE}/${created.value.id}` });
      },
    }),
    endpoint({
      method: 'get',
      path: BASE,
      operationId: 'findTickets',
      summary: 'Find a ticket by name (?name=), or list tickets a page at a time (?page=&size=)',
      tags: TAGS,
      access: 'public',
      query: NamedOrPageQuery,
      responses: {
        200: { description: 'With ?name=: the ticket (a Ticket). Otherwise: a TicketPage.', schema: TicketBody.or(TicketPage) },
      },
      problems: ['VALIDATION_FAILED', 'TICKET_NOT_FOUND'],
      async handle({ query }) {
        if (query.name !== undefined) {
          const ticket = await tickets.findTicketByName(query.name);
          return ticket ? json(200, toTicketBody(ticket, clock.now())) : new Problem('TICKET_NOT_FOUND');
        }
        const page = await tickets.listTickets({ page: query.page, size: query.size });
        const now = clock.now();
        return json(
          200,
          toPageBody(page, (ticket) => toTicketBody(ticket, now)),
        );
      },
    }),
    endpoint({
      method: 'get',
      path: `${BASE}/{ticketId}`,
      operationId: 'getTicket',
      summary: 'Get a ticket, with its remaining quantity and status',
      tags: TAGS,
      access: 'public',
      params: TicketPath,
      responses: { 200: { description: 'The ticket', schema: TicketBody } },
      problems: ['VALIDATION_FAILED', 'TICKET_NOT_FOUND'],
      async handle({ params }) {
        const ticket = await tickets.findTicket(params.ticketId);
        return ticket ? json(200, toTicketBody(ticket, clock.now())) : new Problem('TICKET_NOT_FOUND');
      },
    }),
    endpoint({
      method: 'delete',
      path: `${BASE}/{ticketId}`,
      operationId: 'deleteTicket',
      summary: 'Delete a ticket nobody holds',
      tags: TAGS,
      access: 'admin',
      params: TicketPath,
      responses: { 204: { description: 'Deleted' } },
      problems: ['VALIDATION_FAILED', 'TICKET_NOT_FOUND', 'TICKET_HAS_ISSUES', 'QUEUE_UNAVAILABLE'],
      async handle({ params }) {
        // Read first: the row's generation names the Redis state that is to go with it.
        const ticket = await tickets.findTicket(params.ticketId);
        if (ticket === null) return new Problem('TICKET_NOT_FOUND');
        // The removal is scheduled before the row goes, so a delete never leaves Redis state that
        // nobody will remove: with Redis away it is refused (503) and deletes nothing. A schedule
        // whose row stays (409) is harmless: the worker finds the row's sale still open and drops it.
        await removeStateLater(ticket);
        const deleted = await tickets.deleteTicket(params.ticketId);
        if (!deleted.ok) return new Problem(deleted.error.code);
        forgetTicket(params.ticketId);
        return empty(204);
      },
    }),
    endpoint({
      method: 'get',
      path: `${BASE}/{ticketId}/issues`,
      operationId: 'listTicketIssues',
      summary: 'List the issued tickets, in issueNumber order',
      tags: TAGS,
      access: 'staff',
      params: TicketPath,
      query: PageQuery,
      responses: { 200: { description: 'A page of member tickets', schema: MemberTicketPage } },
      problems: ['VALIDATION_FAILED', 'TICKET_NOT_FOUND'],
      async handle({ params, query }) {
        const [ticket, page] = await Promise.all([tickets.findTicket(params.ticketId), tickets.listIssues(params.ticketId, query)]);
        return ticket ? json(200, toPageBody(page, toMemberTicketBody)) : new Problem('TICKET_NOT_FOUND');
      },
    }),
  ];
}
