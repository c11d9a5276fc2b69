import type { Express, Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { type AccessGuards, authenticate, limitPerIp, limitSubmissions, principalOf } from './accessGuards.js';
import { ACCESS_RULES, authorize } from './auth/rights.js';
import { expressPath, type Endpoint } from './endpoint.js';
import { jsonBodyReader } from './jsonBodyReader.js';
import { Problem, validationProblem, type FieldError } from './problem.js';
import { sendReply } from './reply.js';
import { sendProblem } from './sendProblem.js';
import { parsePart } from './parsePart.js';

/** Adds the endpoints to the app; unknown paths and wrong methods are answered by `fallback`. */
/**
 * The checks run in the contract's order: the per-IP limit, the token (401), the body's type and
 * size (413/415), the input (400), the rule (403), the member's submissions limit (429), and the
 * handler (404 and the rest). A refused request reaches no handler, so it changes nothing.
 */
export function mountEndpoints(app: Express, endpoints: readonly Endpoint[], guards: AccessGuards): void {
  const readJson = jsonBodyReader();
  const perIp = limitPerIp(guards);
  const withToken = authenticate(guards);
  for (const definition of endpoints) {
    const route = expressPath(definition.path);
    const handlers: RequestHandler[] = [labelRoute(route)];
    if (definition.path.startsWith('/api/v1/')) handlers.push(perIp);
    if (ACCESS_RULES[definition.access].token) handlers.push(withToken);
    if (definition.body) handlers.push(readJson);
    handlers.push(handlerFor(definition, guards));
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

function handlerFor(definition: Endpoint, guards: AccessGuards): RequestHandler {
  return async (req, res) => {
    const input = definition.fastInput?.(req) ?? validatedInput(definition, req);
    if (input instanceof Problem) return sendProblem(req, res, input);
    const principal = principalOf(res);
    // own-request admits every valid token here; the handler refuses another member's request as absent.
    if (definition.access !== 'own-request') {
      const decision = authorize(principal, definition.access, { memberId: definition.accessMember?.(input as never) });
      if (decision !== 'allowed') return sendProblem(req, res, new Problem('FORBIDDEN'));
    }
    if (definition.memberLimit && principal?.memberId != null && (await limitSubmissions(req, res, guards, principal.memberId))) return;
    sendReply(req, res, await definition.handle(input as never, { req, res, principal }));
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
