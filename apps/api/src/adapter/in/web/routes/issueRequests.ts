import type { DomainError, IssueRequestState, Result } from '@ticketing/core';
import type { Response } from 'express';
import type { Counter } from 'prom-client';
import { authorize } from '../auth/rights.js';
import type { Principal } from '../auth/tokenVerifier.js';
import type { Watch } from '../limits/watchCaps.js';
import type { AppDeps } from '../../../../appDeps.js';
import { MAX_REQUEST_ID_LENGTH } from '../ids.js';
import { endpoint, LOCATION, type Endpoint } from '../endpoint.js';
import { plainNewIssueRequest, plainTicketPath } from '../fastInput.js';
import { Problem } from '../problem.js';
import { json, type Reply } from '../reply.js';
import { IssueRequestPath, NewIssueRequestBody, TicketPath, WaitQuery } from '../requestSchemas.js';
import { toIssueRequestBody } from '../responseBodies.js';
import { IssueRequestBody } from '../responseSchemas.js';

const REQUESTS = '/api/v1/issue-requests';

export interface IssueRequestEndpointDeps extends Pick<AppDeps, 'issueRequests' | 'watches'> {
  /** http_rate_limited_total: a poll refused by WATCH_PER_MEMBER counts as limit="watch". */
  limited: Counter<'limit'>;
}

export function issueRequestEndpoints({ issueRequests, watches, limited }: IssueRequestEndpointDeps): Endpoint[] {
  return [
    endpoint({
      method: 'post',
      path: '/api/v1/tickets/{ticketId}/issue-requests',
      operationId: 'submitIssueRequest',
      summary: 'Ask for a ticket: queued in arrival order and answered at once',
      description:
        'Answers 202 with a PENDING request the moment it is queued; poll (or long-poll) its Location for the decision. ' +
        'A member who already asked gets 200 with that same request, sold out or not. ' +
        "The body is `{}` (the token's member) or `{memberId}` equal to the token's `sub`. " +
        '409 SOLD_OUT is answered without queueing once the ticket is known to be sold out.',
      tags: ['issue requests'],
      access: 'submit-own',
      accessMember: ({ body }) => body.memberId,
      memberLimit: 'submissions',
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
      async handle({ params, body }, { res, principal }) {
        // submit-own has already made sure the body's member, when named, is the token's.
        const submitted = await issueRequests.submit(params.ticketId, body.memberId ?? principal!.memberId!);
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
      description:
        'With `waitMs`, a PENDING request is held open until it is decided or the wait ends. ' +
        'A member holds at most WATCH_PER_MEMBER such waits at once (across every API process; the next is 429 RATE_LIMITED); ' +
        'past WATCH_MAX held waits in one process, polls are answered at once without waiting.',
      tags: ['issue requests'],
      access: 'own-request',
      params: IssueRequestPath,
      query: WaitQuery,
      responses: { 200: { description: 'The request: PENDING, ISSUED, REJECTED or FAILED', schema: IssueRequestBody } },
      problems: ['VALIDATION_FAILED', 'ISSUE_REQUEST_NOT_FOUND', 'ISSUE_REQUEST_EXPIRED', 'RATE_LIMITED', 'QUEUE_UNAVAILABLE'],
      async handle({ params, query }, { res, principal }) {
        const { requestId } = params;
        // No request id is this long, so there is nothing to look up.
        if (requestId.length === 0 || requestId.length > MAX_REQUEST_ID_LENGTH) return new Problem('ISSUE_REQUEST_NOT_FOUND');
        const waitMs = query.waitMs ?? 0;
        res.locals.logFields = { requestId, waitMs };
        if (waitMs === 0) return answer(await issueRequests.read(requestId, 0), principal);

        // A member waits only on its own request: another's answers 404 at once, as a made-up id does.
        if (principal?.role === 'member') {
          const now = await issueRequests.read(requestId, 0);
          if (!now.ok || !ownRequest(principal, now.value.memberId) || now.value.status !== 'PENDING') return answer(now, principal);
        }
        const watch = await watches.admit(principal, waitMs);
        if (watch.kind === 'limited') return watchLimited(watch, limited);
        if (watch.kind === 'answer-now') return answer(await issueRequests.read(requestId, 0), principal);
        try {
          return answer(await issueRequests.read(requestId, waitMs, clientGone(res)), principal);
        } finally {
          watch.release();
        }
      },
    }),
  ];
}

/** The poll's answer: the request, or its problem; another member's request reads as absent. */
function answer(found: Result<IssueRequestState>, principal: Principal | null): Reply | Problem {
  if (!found.ok) return requestProblem(found.error, principal);
  if (!ownRequest(principal, found.value.memberId)) return new Problem('ISSUE_REQUEST_NOT_FOUND');
  return json(200, toIssueRequestBody(found.value));
}

/** A refused read of a request; one that names its member (expired) is absent to everyone else. */
export function requestProblem(error: DomainError, principal: Principal | null): Problem {
  if (error.owner !== undefined && !ownRequest(principal, error.owner)) return new Problem('ISSUE_REQUEST_NOT_FOUND');
  return new Problem(error.code);
}

/** 429 for a member already holding WATCH_PER_MEMBER waits, counted as limit="watch". */
export function watchLimited(watch: Extract<Watch, { kind: 'limited' }>, limited: Counter<'limit'>): Problem {
  limited.inc({ limit: 'watch' });
  const headers = { 'Retry-After': String(watch.retryAfterSeconds), 'RateLimit-Policy': watch.policy, RateLimit: watch.rateLimit };
  return new Problem('RATE_LIMITED', { headers });
}

/** Whether the caller may see a request of this member; another member's request reads as absent. */
export function ownRequest(principal: Principal | null, owner: number): boolean {
  return authorize(principal, 'own-request', { memberId: owner }) === 'allowed';
}

/** Aborts when the client goes away before its answer. */
function clientGone(res: Response): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  return gone.signal;
}
