import type { PlaceInLine } from '@ticketing/core';
import { z } from 'zod';
import type { AppDeps } from '../../../../appDeps.js';
import { endpoint, type Endpoint } from '../endpoint.js';
import { MAX_REQUEST_ID_LENGTH } from '../ids.js';
import { Problem } from '../problem.js';
import { type Reply, stream } from '../reply.js';
import { IssueRequestPath, TicketPath } from '../requestSchemas.js';
import { toIssueRequestBody } from '../responseBodies.js';
import { EVENT_STREAM_TIMING, EventStream, Throttle } from '../streams/eventStream.js';
import { type IssueRequestEndpointDeps, ownRequest, requestProblem, watchLimited } from './issueRequests.js';

/** At most 4 position events a second per stream (G11), however fast the line moves. */
const POSITION_INTERVAL_MS = 250;

const EventStreamText = z.string().openapi({ description: 'Server-Sent Events (text/event-stream)' });

export interface EventStreamEndpointDeps extends IssueRequestEndpointDeps, Pick<AppDeps, 'tickets' | 'ticketStats'> {}

export function eventStreamEndpoints({ issueRequests, watches, limited, tickets, ticketStats }: EventStreamEndpointDeps): Endpoint[] {
  return [
    endpoint({
      method: 'get',
      path: '/api/v1/issue-requests/{requestId}/events',
      operationId: 'followIssueRequest',
      summary: 'Follow an issue request: its place in line as it falls, then its decision',
      description:
        '`event: position` with `{"position":n,"estimatedWaitMs":m}` whenever the place changes (at most 4 a second), then ' +
        '`event: decision` with the issue request body, and the stream ends; a decided request gets its decision at once. ' +
        'A comment line every 15 s keeps proxies from closing it. A stream ends after 55 s at the latest; the client ' +
        "reconnects (`retry: 1000`) and gets the current state at once. Each open stream holds one of the member's " +
        'WATCH_PER_MEMBER slots (429 RATE_LIMITED past them); past WATCH_MAX in one process, the stream sends the current ' +
        'state and ends.',
      tags: ['issue requests'],
      access: 'own-request',
      params: IssueRequestPath,
      responses: { 200: { description: 'The event stream', schema: EventStreamText, mediaType: 'text/event-stream' } },
      problems: ['VALIDATION_FAILED', 'ISSUE_REQUEST_NOT_FOUND', 'ISSUE_REQUEST_EXPIRED', 'RATE_LIMITED', 'QUEUE_UNAVAILABLE'],
      async handle({ params }, { principal }): Promise<Reply> {
        const { requestId } = params;
        if (requestId.length === 0 || requestId.length > MAX_REQUEST_ID_LENGTH) return new Problem('ISSUE_REQUEST_NOT_FOUND');
        const now = await issueRequests.read(requestId, 0);
        if (!now.ok) return requestProblem(now.error, principal);
        // Another member's request reads as absent, as a made-up id does.
        if (!ownRequest(principal, now.value.memberId)) return new Problem('ISSUE_REQUEST_NOT_FOUND');
        const current = now.value;
        if (current.status !== 'PENDING') {
          return stream((res) => {
            const events = new EventStream(res);
            events.send('decision', toIssueRequestBody(current));
            events.end();
          });
        }
        const watch = await watches.admit(principal, EVENT_STREAM_TIMING.lifetimeMs);
        if (watch.kind === 'limited') return watchLimited(watch, limited);
        return stream((res) => {
          const events = new EventStream(res);
          const sendPlace = (place: PlaceInLine) => events.send('position', place);
          if (watch.kind === 'answer-now') {
            if (current.position !== null) sendPlace({ position: current.position, estimatedWaitMs: current.estimatedWaitMs });
            events.end();
            return;
          }
          const positions = new Throttle<PlaceInLine>(POSITION_INTERVAL_MS, sendPlace);
          issueRequests
            .follow(
              requestId,
              events.ended,
              {
                position: (place) => positions.push(place),
                decision: (state) => {
                  positions.cancel();
                  events.send('decision', toIssueRequestBody(state));
                },
              },
              current,
            )
            // Redis or the database failing mid-stream: the client reconnects and is answered as a poll would be.
            .catch(() => undefined)
            .finally(() => {
              positions.cancel();
              watch.release();
              events.end();
            });
        });
      },
    }),
    endpoint({
      method: 'get',
      path: '/api/v1/tickets/{ticketId}/events',
      operationId: 'followTicket',
      summary: "Follow a ticket's drop: its line and outcomes once a second",
      description:
        '`event: stats` once a second with `{accepted,decided,issued,rejected,failed,waiting,remainingQuantity,' +
        'acceptedPerSecond,decidedPerSecond}`: requests accepted into the line, decided and how, still waiting, the stock ' +
        'left, and the rates over the last second. The first event comes at once. A stream ends after 55 s at the latest; ' +
        'the client reconnects (`retry: 1000`).',
      tags: ['tickets'],
      access: 'staff',
      params: TicketPath,
      responses: { 200: { description: 'The event stream', schema: EventStreamText, mediaType: 'text/event-stream' } },
      problems: ['VALIDATION_FAILED', 'TICKET_NOT_FOUND'],
      async handle({ params }, { principal }): Promise<Reply> {
        if ((await tickets.findTicket(params.ticketId)) === null) return new Problem('TICKET_NOT_FOUND');
        const watch = await watches.admit(principal, EVENT_STREAM_TIMING.lifetimeMs);
        // Staff and admins are not members: only WATCH_MAX applies, and past it the stream tells the stats once.
        if (watch.kind === 'limited') return watchLimited(watch, limited);
        return stream((res) => {
          const events = new EventStream(res);
          const unfollow = ticketStats.follow(params.ticketId, (stats) => {
            events.send('stats', stats);
            if (watch.kind === 'answer-now') events.end();
          });
          events.ended.addEventListener('abort', () => {
            unfollow();
            if (watch.kind === 'wait') watch.release();
          });
        });
      },
    }),
  ];
}
