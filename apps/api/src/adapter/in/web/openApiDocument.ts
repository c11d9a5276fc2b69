import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { accessDocumentation, BEARER_SCHEME_NAME, BEARER_SECURITY_SCHEME } from './auth/rights.js';
import type { ProblemCode } from './messages.js';
import type { Endpoint } from './endpoint.js';
import { problemStatus } from './problem.js';
import { PROBLEM_CONTENT_TYPE } from './problemDocument.js';
import { ProblemBody } from './responseSchemas.js';
import './zodOpenApi.js';

/** The OpenAPI 3.1 document, written from the very schemas and routes that serve requests. */
export function openApiDocument(endpoints: readonly Endpoint[]): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.register('Problem', ProblemBody);
  registry.registerComponent('securitySchemes', BEARER_SCHEME_NAME, { ...BEARER_SECURITY_SCHEME });
  for (const definition of endpoints) registry.registerPath(routeConfig(definition));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: '선착순 티켓 발급 API',
      version: '1.0.0',
      description:
        'First-come-first-served ticket issuing. Submissions are queued per ticket and decided in arrival order by workers; ' +
        'clients poll (or long-poll) the issue request. Errors are RFC 9457 problem documents, in Korean unless ' +
        'Accept-Language prefers English.',
    },
    tags: [
      { name: 'members', description: 'Members who ask for tickets' },
      { name: 'tickets', description: 'Tickets and their issues' },
      { name: 'issue requests', description: 'Asking for a ticket, and the answer' },
      { name: 'operations', description: 'Health, readiness, metrics and this document' },
    ],
  });
}

function routeConfig(definition: Endpoint): RouteConfig {
  const request: NonNullable<RouteConfig['request']> = {};
  const params = objectOf(definition.params);
  const query = objectOf(definition.query);
  if (params) request.params = params;
  if (query) request.query = query;
  if (definition.body && definition.documentBody !== false) {
    request.body = { required: true, content: { 'application/json': { schema: definition.body } } };
  }

  const responses: Record<string, ResponseConfig> = {};
  for (const [status, doc] of Object.entries(definition.responses)) {
    responses[status] = {
      description: doc.description,
      ...(doc.headers ? { headers: doc.headers } : {}),
      ...(doc.schema ? { content: { [doc.mediaType ?? 'application/json']: { schema: doc.schema } } } : {}),
    };
  }
  const access = accessDocumentation(definition.access);
  const problems: ProblemCode[] = [...definition.problems, ...access.problems];
  if (definition.body) problems.push('PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  // RATE_PER_IP counts every request under /api/v1; RATE_SUBMIT_PER_MEMBER the submissions.
  if (definition.path.startsWith('/api/v1/') || definition.memberLimit) problems.push('RATE_LIMITED');
  // Every resource reads or writes MySQL; while it is away they answer 503 (submissions still queue).
  if (definition.path.startsWith('/api/v1/')) problems.push('DATABASE_UNAVAILABLE');
  for (const [status, codes] of groupByStatus(problems)) {
    responses[status] = problemResponse(`Problem: ${codes.join(', ')}`);
  }
  responses.default = problemResponse('Problem: INTERNAL_ERROR, or METHOD_NOT_ALLOWED / NOT_FOUND from the transport');

  return {
    method: definition.method,
    path: definition.path,
    operationId: definition.operationId,
    summary: definition.summary,
    description: [definition.description, `Who may call it: ${access.summary}`].filter(Boolean).join('\n\n'),
    tags: definition.tags,
    security: access.security,
    request,
    responses,
  };
}

function problemResponse(description: string): ResponseConfig {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemBody } } };
}

function groupByStatus(codes: readonly ProblemCode[]): Map<string, ProblemCode[]> {
  const groups = new Map<string, ProblemCode[]>();
  for (const code of [...new Set(codes)].sort((a, b) => problemStatus[a] - problemStatus[b])) {
    const status = String(problemStatus[code]);
    groups.set(status, [...(groups.get(status) ?? []), code]);
  }
  return groups;
}

/** The object under a schema's refinements and transforms: what the document shows as parameters. */
function objectOf(schema: z.ZodType | undefined): z.ZodObject | undefined {
  let current: unknown = schema;
  while (current instanceof z.ZodPipe) current = current.in;
  return current instanceof z.ZodObject ? current : undefined;
}
