import { describe, expect, test } from '@jest/globals';
import { createRedis, redisReady } from '@ticketing/queue';
import { TEST_REDIS_URL, testTokens } from '@ticketing/testkit';
import { call } from './support/http.js';
import { openSse, type SseFrame } from './support/sse.js';
import { useTestSuite } from './support/testApi.js';

/**
 * The event streams of G11 over the real app, Redis and MariaDB: a request's place as it falls,
 * then its decision, equal to the poll; a ticket's stats once a second; one subscription of the
 * process serving every stream.
 */
const suite = useTestSuite();
let names = 0;

async function newTicket(totalQuantity: number): Promise<number> {
  return (await suite.http.post('/api/v1/tickets', { name: `streamed drop ${++names}`, totalQuantity })).body.id;
}

/** `count` members, each with a PENDING request of the ticket, in this order. */
async function pendingRequests(ticketId: number, count: number): Promise<Array<{ memberId: number; requestId: string; token: string }>> {
  const made = [];
  for (let n = 0; n < count; n++) {
    const memberId = (await suite.http.post('/api/v1/members', { name: `streaming member ${++names}` })).body.id as number;
    const token = await testTokens.member(memberId);
    const res = await call(suite.api.url, 'POST', `/api/v1/tickets/${ticketId}/issue-requests`, { body: {}, token });
    expect(res.status).toBe(202);
    expect(res.body.position).toBe(n);
    made.push({ memberId, requestId: res.body.requestId as string, token });
  }
  return made;
}

const streamUrl = (requestId: string) => `${suite.api.url}/api/v1/issue-requests/${encodeURIComponent(requestId)}/events`;
const positionsOf = (frames: SseFrame[]) => frames.filter((f) => f.event === 'position').map((f) => JSON.parse(f.data).position as number);

describe('GET /issue-requests/{id}/events', () => {
  test('frames: the place at once, falling as the line moves, then the decision equal to the poll, and the end', async () => {
    const ticketId = await newTicket(5);
    const requests = await pendingRequests(ticketId, 5);
    const last = requests[4]!;
    const events = await openSse(streamUrl(last.requestId), last.token);
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(events.headers.get('cache-control')).toMatch(/no-cache/);
    expect(events.frames[0]?.event ?? (await events.next(() => true)).event).toBe('retry');
    const first = await events.next((f) => f.event === 'position');
    expect(JSON.parse(first.data)).toEqual({ position: 4, estimatedWaitMs: null });

    await suite.worker.drain(ticketId);
    await events.ended;
    const decision = events.frames.find((f) => f.event === 'decision')!;
    expect(events.frames.at(-1)).toBe(decision);
    const positions = positionsOf(events.frames);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
    const polled = await call(suite.api.url, 'GET', `/api/v1/issue-requests/${encodeURIComponent(last.requestId)}`, { token: last.token });
    expect(JSON.parse(decision.data)).toEqual(polled.body);
    expect(polled.body).toMatchObject({ status: 'ISSUED', issueNumber: 5, position: null, estimatedWaitMs: null });
  });

  test('a decided request gets its decision at once and the stream ends; another member gets 404; no token 401', async () => {
    const ticketId = await newTicket(5);
    const [mine, theirs] = await pendingRequests(ticketId, 2);
    await suite.worker.drain(ticketId);
    const events = await openSse(streamUrl(mine!.requestId), mine!.token);
    await events.ended;
    expect(events.frames.map((f) => f.event)).toEqual(['retry', 'decision']);
    expect(JSON.parse(events.frames[1]!.data)).toMatchObject({ status: 'ISSUED', issueNumber: 1 });

    const other = await openSse(streamUrl(theirs!.requestId), mine!.token);
    expect(other.status).toBe(404);
    const anonymous = await openSse(streamUrl(mine!.requestId), null);
    expect(anonymous.status).toBe(401);
    const madeUp = await openSse(streamUrl('1-2-deadbeef-0123456789abcdef'), mine!.token);
    expect(madeUp.status).toBe(404);
  });

  test('fan-out: one subscription of the process serves 40 streams of one ticket; each ends with its decision', async () => {
    const ticketId = await newTicket(40);
    const requests = await pendingRequests(ticketId, 40);
    const streams = await Promise.all(requests.map((r) => openSse(streamUrl(r.requestId), r.token)));
    await Promise.all(streams.map((s) => s.next((f) => f.event === 'position')));

    const redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'fan-out-check');
    try {
      await redisReady(redis, 2000);
      const [, subscribers] = (await redis.pubsub('NUMSUB', `${suite.api.prefix}:progress`)) as [string, number];
      expect(Number(subscribers)).toBe(1);
    } finally {
      redis.disconnect();
    }

    await suite.worker.drain(ticketId);
    await Promise.all(streams.map((s) => s.ended));
    streams.forEach((s, n) => {
      const decision = JSON.parse(s.frames.find((f) => f.event === 'decision')!.data);
      expect(decision).toMatchObject({ status: 'ISSUED', issueNumber: n + 1 });
      const positions = positionsOf(s.frames);
      expect(positions[0]).toBe(n);
      expect(positions).toEqual([...positions].sort((a, b) => b - a));
    });
  });
});

describe('GET /tickets/{id}/events', () => {
  test('staff get the stats at once and every second; a member is refused 403', async () => {
    const ticketId = await newTicket(4);
    await pendingRequests(ticketId, 3);
    const staff = await testTokens.staff();
    const events = await openSse(`${suite.api.url}/api/v1/tickets/${ticketId}/events`, staff);
    expect(events.status).toBe(200);
    const first = JSON.parse((await events.next((f) => f.event === 'stats', 2000)).data);
    expect(first).toEqual({
      accepted: 3,
      decided: 0,
      issued: 0,
      rejected: 0,
      failed: 0,
      waiting: 3,
      remainingQuantity: 4,
      acceptedPerSecond: 0,
      decidedPerSecond: 0,
    });
    await suite.worker.drain(ticketId);
    const after = await events.next((f) => f.event === 'stats' && JSON.parse(f.data).decided === 3, 5000);
    expect(JSON.parse(after.data)).toMatchObject({ decided: 3, issued: 3, rejected: 0, waiting: 0, remainingQuantity: 1 });
    events.close();

    const member = await openSse(`${suite.api.url}/api/v1/tickets/${ticketId}/events`, await testTokens.member(1));
    expect(member.status).toBe(403);
    expect((await openSse(`${suite.api.url}/api/v1/tickets/999999/events`, staff)).status).toBe(404);
  });
});
