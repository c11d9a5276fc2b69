import type { AppDeps } from '../../../../appDeps.js';
import { endpoint, LOCATION, type Endpoint } from '../endpoint.js';
import { Problem } from '../problem.js';
import { json } from '../reply.js';
import { MemberPath, MemberTicketPath, NamedOrPageQuery, NewMemberBody, UseTicketBody } from '../requestSchemas.js';
import { toMemberBody, toMemberTicketBody, toPageBody } from '../responseBodies.js';
import { MemberBody, MemberPage, MemberTicketBody, MemberTicketList } from '../responseSchemas.js';

const BASE = '/api/v1/members';
const TAGS = ['members'];

export function memberEndpoints({ members, clock }: Pick<AppDeps, 'members' | 'clock'>): Endpoint[] {
  return [
    endpoint({
      method: 'post',
      path: BASE,
      operationId: 'createMember',
      summary: 'Create a member',
      tags: TAGS,
      access: 'admin',
      body: NewMemberBody,
      responses: { 201: { description: 'Created; Location names it', schema: MemberBody, headers: LOCATION } },
      problems: ['VALIDATION_FAILED', 'MEMBER_NAME_TAKEN'],
      async handle({ body }) {
        const created = await members.createMember(body.name);
        if (!created.ok) return new Problem(created.error.code);
        return json(201, toMemberBody(created.value), { Location: `${BASE}/${created.value.id}` });
      },
    }),
    endpoint({
      method: 'get',
      path: BASE,
      operationId: 'findMembers',
      summary: 'Find a member by name (?name=), or list members a page at a time (?page=&size=)',
      tags: TAGS,
      access: 'admin',
      query: NamedOrPageQuery,
      responses: {
        200: { description: 'With ?name=: the member (a Member). Otherwise: a MemberPage.', schema: MemberBody.or(MemberPage) },
      },
      problems: ['VALIDATION_FAILED', 'MEMBER_NOT_FOUND'],
      async handle({ query }) {
        if (query.name !== undefined) {
          const member = await members.findMemberByName(query.name);
          return member ? json(200, toMemberBody(member)) : new Problem('MEMBER_NOT_FOUND');
        }
        return json(200, toPageBody(await members.listMembers({ page: query.page, size: query.size }), toMemberBody));
      },
    }),
    endpoint({
      method: 'get',
      path: `${BASE}/{memberId}`,
      operationId: 'getMember',
      summary: 'Get a member',
      tags: TAGS,
      access: 'member-self-or-admin',
      accessMember: ({ params }) => params.memberId,
      params: MemberPath,
      responses: { 200: { description: 'The member', schema: MemberBody } },
      problems: ['VALIDATION_FAILED', 'MEMBER_NOT_FOUND'],
      async handle({ params }) {
        const member = await members.findMember(params.memberId);
        return member ? json(200, toMemberBody(member)) : new Problem('MEMBER_NOT_FOUND');
      },
    }),
    endpoint({
      method: 'get',
      path: `${BASE}/{memberId}/tickets`,
      operationId: 'listMemberTickets',
      summary: "List the member's issued tickets",
      tags: TAGS,
      access: 'member-self-or-staff',
      accessMember: ({ params }) => params.memberId,
      params: MemberPath,
      responses: { 200: { description: 'Every ticket issued to the member', schema: MemberTicketList } },
      problems: ['VALIDATION_FAILED', 'MEMBER_NOT_FOUND'],
      async handle({ params }) {
        const [exists, issues] = await Promise.all([members.memberExists(params.memberId), members.listMemberTickets(params.memberId)]);
        return exists ? json(200, { items: issues.map(toMemberTicketBody) }) : new Problem('MEMBER_NOT_FOUND');
      },
    }),
    endpoint({
      method: 'post',
      path: `${BASE}/{memberId}/tickets/{ticketId}/use`,
      operationId: 'useMemberTicket',
      summary: "Use the member's ticket (once)",
      tags: TAGS,
      access: 'staff',
      params: MemberTicketPath,
      body: UseTicketBody,
      documentBody: false,
      responses: { 200: { description: 'The used ticket, with usedAt', schema: MemberTicketBody } },
      problems: ['VALIDATION_FAILED', 'MEMBER_TICKET_NOT_FOUND', 'ALREADY_USED'],
      async handle({ params }) {
        const used = await members.useTicket(params.memberId, params.ticketId, clock.now());
        return used.ok ? json(200, toMemberTicketBody(used.value)) : new Problem(used.error.code);
      },
    }),
  ];
}
