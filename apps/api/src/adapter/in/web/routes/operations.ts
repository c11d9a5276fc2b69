import type { AppDeps } from '../../../../appDeps.js';
import { endpoint, type Endpoint } from '../endpoint.js';
import { json, text } from '../reply.js';
import { HealthBody, ReadinessBody } from '../responseSchemas.js';
import { z } from 'zod';

const TAGS = ['operations'];

export function operationEndpoints({ health, registry }: Pick<AppDeps, 'health' | 'registry'>, openApiDocument: () => object): Endpoint[] {
  return [
    endpoint({
      method: 'get',
      path: '/healthz',
      operationId: 'health',
      summary: 'Liveness: the process answers',
      tags: TAGS,
      access: 'public',
      responses: { 200: { description: 'Alive', schema: HealthBody } },
      problems: [],
      handle: () => json(200, { status: 'ok' }),
    }),
    endpoint({
      method: 'get',
      path: '/readyz',
      operationId: 'readiness',
      summary: 'Readiness: MySQL and Redis both answer (each check bounded to 1 s)',
      tags: TAGS,
      access: 'public',
      responses: {
        200: { description: 'Both dependencies are up', schema: ReadinessBody },
        503: { description: 'At least one dependency is down; checks names it', schema: ReadinessBody },
      },
      problems: [],
      async handle() {
        const [database, redis] = await Promise.all([health.database(), health.redis()]);
        const ready = database && redis;
        return json(ready ? 200 : 503, {
          status: ready ? 'ok' : 'unavailable',
          checks: { database: database ? 'up' : 'down', redis: redis ? 'up' : 'down' },
        });
      },
    }),
    endpoint({
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      tags: TAGS,
      access: 'admin',
      responses: { 200: { description: 'Prometheus text exposition format', schema: z.string(), mediaType: 'text/plain' } },
      problems: [],
      handle: async () => text(200, await registry.metrics(), registry.contentType),
    }),
    endpoint({
      method: 'get',
      path: '/openapi.json',
      operationId: 'openApiDocument',
      summary: 'This OpenAPI 3.1 document',
      tags: TAGS,
      access: 'public',
      responses: { 200: { description: 'The OpenAPI document', schema: z.object({}).passthrough() } },
      problems: [],
      handle: () => json(200, openApiDocument()),
    }),
  ];
}
