import type { Response } from 'express';
import type { AppDeps } from '../../../../appDeps.js';
import { MAX_REQUEST_ID_LENGTH } from '../ids.js';
import { endpoint, LOCATION, type Endpoint } from '../endpoint.js';
import { plainNewIssueRequest, plainTicketPath } from '../fastInput.js';
import { Problem } from '../problem.js';
import { json } from '../reply.js';
import { IssueRequestPath, NewIssueRequestBody, TicketPath, WaitQuery } from '../requestSchemas.js';
import { toIssueRequestBody } from '../responseBodies.js';
import { IssueRequestBody } from '../responseSchemas.js';

const REQUESTS = '/api/v1/issue-requests';

export function issueRequestEndpoints({ issueRequests }: Pick<AppDeps, 'issueRequests'>): Endpoint[] {
  return [
    endpoint({
      method: 'post',
      path: '/api/v1/tickets/{ticketId}/issue-requests',
      operationId: 'submitIssueRequest',
      summary: 'Ask for a ticket: queued in arrival order and answered at once',
      description:
        'Answers 202 with a PENDING request the moment it is queued; poll (or long-poll) its Location for the decision. ' +
        'A member who already asked gets 200 with that same request, sold out or not. ' +
        '409 SOLD_OUT is answered without queueing once the ticket is known to be sold out.',
      tags: ['issue requests'],
      params: TicketPath,
      body: NewIssueRequestBody,
      responses: {
        202: { description: 'Queued; Location is the request to poll', schema: IssueRequestBody, headers: LOCATION },
        200: { description: 'The member had already asked: that request, as it stands', schema: IssueRequestBody },
      },
      problems: ['VALIDATION_FAILED', 'TICKET_NOT_FOUND', 'MEMBER_NOT_FOUND', 'SOLD_OUT', 'NOT_OPEN', 'CLOSED', 'QUEUE_UNAVAILABLE'],
      fastInput(req) {
        const params = plainTicketPath(req.params);
        const body = params && plainNewIssueRequest(req.body);
        return params && body ? { params, query: undefined, body } : null;
      },
      async handle({ params, body }, { res }) {
        const submitted = await issueRequests.submit(params.ticketId, body.memberId);
        if (!submitted.ok) return new Problem(submitted.error.code);
        const { created, request } = submitted.value;
        res.locals.logFields = { ticketId: request.ticketId, memberId: request.memberId, requestId: request.requestId };
        if (!created) return json(200, toIssueRequestBody(request));
        return json(202, toIssueRequestBody(request), { Location: `${REQUESTS}/${encodeURIComponent(request.requestId)}` });
      },
    }),
    endpoint({
      method: 'get',
      path: `${REQUESTS}/{requestId}`,
      operationId: 'getIssueRequest',
      summary: 'The state of an issue request; with waitMs, answers as soon as it is decided',
      tags: ['issue requests'],
      params: IssueRequestPath,
      query: WaitQuery,
      responses: { 200: { description: 'The request: PENDING, ISSUED, REJECTED or FAILED', schema: IssueRequestBody } },
      problems: ['VALIDATION_FAILED', 'ISSUE_REQUEST_NOT_FOUND', 'QUEUE_UNAVAILABLE'],
      async handle({ params, query }, { res }) {
        const { requestId } = params;
        // No request id is this long, so there is nothing to look up.
        if (requestId.length === 0 || requestId.length > MAX_REQUEST_ID_LENGTH) return new Problem('ISSUE_REQUEST_NOT_FOUND');
        const waitMs = query.waitMs ?? 0;
        const found = await issueRequests.read(requestId, waitMs, waitMs > 0 ? clientGone(res) : undefined);
        res.locals.logFields = { requestId, waitMs };
        return found.ok ? json(200, toIssueRequestBody(found.value)) : new Problem(found.error.code);
      },
    }),
  ];
}

/** Aborts when the client goes away before its answer. */
function clientGone(res: Response): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  return gone.signal;
}
