import { describe, expect, test } from '@jest/globals';
import { client } from './support/http.js';
import { BOARD_PASSWORD, BOARD_USER, startTestApi, useTestSuite } from './support/testApi.js';

/** The root endpoints: health, readiness, metrics, the OpenAPI document, Swagger UI, Bull Board. */
const suite = useTestSuite();

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('health', () => {
  test('/healthz: 200 {status:"ok"}', async () => {
    const res = await suite.http.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  test('/readyz: 200 when MySQL and Redis both answer', async () => {
    const res = await suite.http.get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'up', redis: 'up' } });
  });

  test('/readyz: 503 naming the database when it cannot be reached, within about a second', async () => {
    const broken = await startTestApi(
      { DATABASE_URL: 'mysql://root@127.0.0.1:1/nowhere' },
      { database: suite.api.database, prefix: suite.api.prefix },
    );
    try {
      const res = await client(broken.url).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'down', redis: 'up' } });
      expect(res.elapsedMs).toBeLessThan(1500);
    } finally {
      await broken.close();
    }
  });
});

describe('request logs', () => {
  test('one JSON line per request with its route pattern, request id, and the submission it made', async () => {
    const lines: string[] = [];
    const logged = await startTestApi(
      {},
      { database: suite.api.database, prefix: suite.api.prefix },
      { write: (line: string) => lines.push(line) },
    );
    try {
      const http = client(logged.url);
      const ticket = (await http.post('/api/v1/tickets', { name: 'logged ticket', totalQuantity: 1 })).body;
      const member = (await http.post('/api/v1/members', { name: 'logged member' })).body;
      const submitted = await http.post(
        `/api/v1/tickets/${ticket.id}/issue-requests`,
        { memberId: member.id },
        { 'x-request-id': 'req-42' },
      );
      const entry = lines.map((line) => JSON.parse(line)).find((line) => line.req?.id === 'req-42');
      expect(entry).toMatchObject({
        level: 30,
        route: '/api/v1/tickets/:ticketId/issue-requests',
        ticketId: ticket.id,
        memberId: member.id,
        requestId: submitted.body.requestId,
        req: { method: 'POST', url: `/api/v1/tickets/${ticket.id}/issue-requests` },
        res: { statusCode: 202 },
      });
    } finally {
      await logged.close();
    }
  });
});

describe('/metrics', () => {
  test('Prometheus text with HTTP metrics by route pattern, queue depth, decisions, batch size and latency', async () => {
    const ticket = (await suite.http.post('/api/v1/tickets', { name: 'metrics ticket', totalQuantity: 1 })).body;
    const waiting = (await suite.http.post('/api/v1/tickets', { name: 'metrics queue', totalQuantity: 5 })).body;
    const [first, second] = [
      (await suite.http.post('/api/v1/members', { name: 'metrics 1' })).body,
      (await suite.http.post('/api/v1/members', { name: 'metrics 2' })).body,
    ];
    await suite.http.post(`/api/v1/tickets/${ticket.id}/issue-requests`, { memberId: first.id });
    // The stock of 1 is spoken for by the first member: the second is refused at once, never queued.
    expect((await suite.http.post(`/api/v1/tickets/${ticket.id}/issue-requests`, { memberId: second.id })).status).toBe(409);
    await suite.worker.drain(ticket.id);
    await suite.http.post(`/api/v1/tickets/${waiting.id}/issue-requests`, { memberId: first.id });
    await suite.http.get(`/api/v1/tickets/${ticket.id}`);
    await suite.http.get('/api/v1/tickets/2147483647');

    const res = await suite.http.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toContain('http_requests_total{method="GET",route="/api/v1/tickets/:ticketId",status="200"}');
    expect(text).toContain('http_requests_total{method="GET",route="/api/v1/tickets/:ticketId",status="404"}');
    expect(text).toContain('http_requests_total{method="POST",route="/api/v1/tickets/:ticketId/issue-requests",status="202"}');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).not.toMatch(/route="\/api\/v1\/tickets\/\d/);

    expect(text).toContain('# TYPE issue_queue_depth gauge');
    expect(text).toContain(`issue_queue_depth{ticket_id="${waiting.id}"} 1`);
    expect(text).toContain('# TYPE issue_decisions_total counter');
    expect(text).toContain('issue_decisions_total{outcome="ISSUED"} 1');
    expect(text).toContain('issue_decisions_total{outcome="REJECTED_SOLD_OUT"} 0');
    expect(text).toContain('# TYPE issue_batch_size histogram');
    expect(text).toMatch(/issue_batch_size_bucket\{le="\+Inf"\} 1\n/);
    expect(text).toContain('issue_batch_size_sum 1');
    expect(text).toContain('# TYPE issue_decision_latency_seconds histogram');
    expect(text).toContain('issue_decision_latency_seconds_count 1');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});

describe('OpenAPI and Swagger UI', () => {
  const operations = [
    ['post', '/api/v1/members'],
    ['get', '/api/v1/members'],
    ['get', '/api/v1/members/{memberId}'],
    ['get', '/api/v1/members/{memberId}/tickets'],
    ['post', '/api/v1/members/{memberId}/tickets/{ticketId}/use'],
    ['post', '/api/v1/tickets'],
    ['get', '/api/v1/tickets'],
    ['get', '/api/v1/tickets/{ticketId}'],
    ['delete', '/api/v1/tickets/{ticketId}'],
    ['get', '/api/v1/tickets/{ticketId}/issues'],
    ['post', '/api/v1/tickets/{ticketId}/issue-requests'],
    ['get', '/api/v1/issue-requests/{requestId}'],
    ['get', '/healthz'],
    ['get', '/readyz'],
    ['get', '/metrics'],
  ] as const;

  test('/openapi.json is an OpenAPI 3.1 document listing every route', async () => {
    const res = await suite.http.get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    for (const [method, path] of operations) {
      const operation = doc.paths[path]?.[method];
      expect({ method, path, documented: operation !== undefined }).toEqual({ method, path, documented: true });
      expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
      for (const name of path.match(/\{(\w+)\}/g)?.map((p) => p.slice(1, -1)) ?? []) {
        expect(operation.parameters).toContainEqual(expect.objectContaining({ name, in: 'path', required: true }));
      }
    }
    const operationIds = Object.values(doc.paths).flatMap((item) =>
      Object.values(item as object).map((op: { operationId: string }) => op.operationId),
    );
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  test('its schemas are the API contract: exact bodies, integers, problem responses', async () => {
    const doc = (await suite.http.get('/openapi.json')).body;
    const schemas = doc.components.schemas;
    expect(Object.keys(schemas.Ticket.properties).sort()).toEqual(
      ['closeAt', 'id', 'issuedQuantity', 'name', 'openAt', 'remainingQuantity', 'status', 'totalQuantity'].sort(),
    );
    expect(Object.keys(schemas.IssueRequest.properties).sort()).toEqual(
      [
        'acceptedAt',
        'decidedAt',
        'estimatedWaitMs',
        'issueNumber',
        'memberId',
        'memberTicketId',
        'position',
        'reason',
        'requestId',
        'status',
        'ticketId',
      ].sort(),
    );
    expect(Object.keys(schemas.Member.properties).sort()).toEqual(['createdAt', 'id', 'name']);
    expect(Object.keys(schemas.MemberTicket.properties).sort()).toEqual([
      'id',
      'issueNumber',
      'issuedAt',
      'memberId',
      'requestId',
      'ticketId',
      'usedAt',
    ]);
    expect(schemas.NewTicket).toMatchObject({ additionalProperties: false, required: ['name', 'totalQuantity'] });
    expect(schemas.NewTicket.properties.totalQuantity).toMatchObject({ type: 'integer', minimum: 1, maximum: 10_000_000 });
    expect(schemas.NewTicket.properties.closeAt.type).toEqual(['string', 'null']);
    expect(schemas.Ticket.properties.status.$ref ?? schemas.Ticket.properties.status.enum).toBeDefined();
    // memberId is optional since issue 12: `{}` submits for the token's member.
    expect(schemas.NewIssueRequest).toMatchObject({ additionalProperties: false });
    expect(schemas.NewIssueRequest.required ?? []).not.toContain('memberId');

    const submit = doc.paths['/api/v1/tickets/{ticketId}/issue-requests'].post;
    expect(Object.keys(submit.responses)).toEqual(expect.arrayContaining(['200', '202', '400', '404', '409', '413', '415', '503']));
    expect(submit.responses['409'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(submit.parameters).toContainEqual(
      expect.objectContaining({ name: 'ticketId', schema: expect.objectContaining({ type: 'integer', minimum: 1 }) }),
    );

    // every $ref points at a schema that exists
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const name = ref.replace(/^"\$ref":"#\/components\/schemas\//, '').replace(/"$/, '');
      expect(schemas[name]).toBeDefined();
    }
  });

  test('/docs serves Swagger UI', async () => {
    const res = await suite.http.get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('swagger-ui');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self' 'unsafe-inline'");
    const init = await suite.http.get('/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain('/api/v1/tickets/{ticketId}/issue-requests');
  });

  test('API responses keep the strict security headers', async () => {
    const res = await suite.http.get('/healthz');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self';");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('Bull Board', () => {
  test('401 with WWW-Authenticate without or with wrong credentials', async () => {
    for (const headers of [undefined, basic(BOARD_USER, 'wrong'), basic('someone', BOARD_PASSWORD), { authorization: 'Bearer x' }]) {
      const res = await suite.http.get('/admin/queues', headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(res.body.code).toBe('UNAUTHORIZED');
    }
    expect((await suite.http.get('/admin/queues/api/queues')).status).toBe(401);
  });

  test('200 with the credentials; lists the queues of the newest tickets', async () => {
    const ticket = (await suite.http.post('/api/v1/tickets', { name: 'board ticket', totalQuantity: 3 })).body;
    const member = (await suite.http.post('/api/v1/members', { name: 'board member' })).body;
    await suite.http.post(`/api/v1/tickets/${ticket.id}/issue-requests`, { memberId: member.id });
    // The first authorized request of this app refreshes the list (later ones: at most every 2 s).

    const page = await suite.http.get('/admin/queues', basic(BOARD_USER, BOARD_PASSWORD));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const queues = await suite.http.get('/admin/queues/api/queues', basic(BOARD_USER, BOARD_PASSWORD));
    expect(queues.status).toBe(200);
    const shown = queues.body.queues.map((queue: { displayName: string }) => queue.displayName);
    expect(shown).toContain(`ticket ${ticket.id}`);
    const mine = queues.body.queues.find((queue: { displayName: string }) => queue.displayName === `ticket ${ticket.id}`);
    expect(mine.readOnlyMode).toBe(true);
  });

  test('not mounted at all without BOARD_PASSWORD', async () => {
    const boardless = await startTestApi({ BOARD_PASSWORD: '' }, { database: suite.api.database, prefix: suite.api.prefix });
    try {
      const res = await client(boardless.url).get('/admin/queues', basic(BOARD_USER, BOARD_PASSWORD));
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
    } finally {
      await boardless.close();
    }
  });
});
