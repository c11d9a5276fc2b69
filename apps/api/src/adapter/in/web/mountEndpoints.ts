import type { Express, Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { expressPath, type Endpoint } from './endpoint.js';
import { jsonBodyReader } from './jsonBodyReader.js';
import { Problem, validationProblem, type FieldError } from './problem.js';
import { sendReply } from './reply.js';
import { sendProblem } from './sendProblem.js';
import { parsePart } from './parsePart.js';

/** Adds the endpoints to the app; unknown paths and wrong methods are answered by `fallback`. */
export function mountEndpoints(app: Express, endpoints: readonly Endpoint[]): void {
  const readJson = jsonBodyReader();
  for (const definition of endpoints) {
    const route = expressPath(definition.path);
    const handlers: RequestHandler[] = [labelRoute(route)];
    if (definition.body) handlers.push(readJson);
    handlers.push(handlerFor(definition));
    app[definition.method](route, ...handlers);
  }
}

/** Names the matched route for metrics and logs before anything can fail. */
export function labelRoute(route: string): RequestHandler {
  return (_req, res, next) => {
    res.locals.route = route;
    next();
  };
}

function handlerFor(definition: Endpoint): RequestHandler {
  return async (req, res) => {
    const input = definition.fastInput?.(req) ?? validatedInput(definition, req);
    if (input instanceof Problem) return sendProblem(req, res, input);
    sendReply(req, res, await definition.handle(input as never, { req, res }));
  };
}

function validatedInput(definition: Endpoint, req: Request): { params: unknown; query: unknown; body: unknown } | Problem {
  const errors: FieldError[] = [];
  const take = (schema: z.ZodType | undefined, input: unknown, location: 'params' | 'query' | 'body') => {
    if (!schema) return undefined;
    const parsed = parsePart(schema, input, location);
    if (parsed.ok) return parsed.value;
    errors.push(...parsed.errors);
    return undefined;
  };
  const params = take(definition.params, req.params, 'params');
  const query = take(definition.query, req.query, 'query');
  const body = take(definition.body, req.body, 'body');
  return errors.length > 0 ? validationProblem(errors) : { params, query, body };
}
