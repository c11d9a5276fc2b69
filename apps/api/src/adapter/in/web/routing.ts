import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { ProblemCode } from './messages.js';
import { BODY_LIMIT_BYTES, Problem, sendProblem, validationProblem, type FieldError } from './problems.js';
import { parsePart } from './validation.js';

export type Method = 'get' | 'post' | 'delete';

/** What a handler answers: a JSON body, an empty body, or a problem. */
export type Reply =
  | { kind: 'json'; status: number; body: unknown; headers?: Readonly<Record<string, string>> }
  | { kind: 'text'; status: number; body: string; contentType: string }
  | { kind: 'empty'; status: number }
  | Problem;

export const json = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): Reply => ({ kind: 'json', status, body, ...(headers ? { headers } : {}) });
export const empty = (status: number): Reply => ({ kind: 'empty', status });
export const text = (status: number, body: string, contentType: string): Reply => ({ kind: 'text', status, body, contentType });

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** Content type of `schema`; application/json unless said. */
  mediaType?: string;
  headers?: Record<string, { description: string; schema: { type: 'string' | 'integer' } }>;
}

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface EndpointContext {
  req: Request;
  res: Response;
}

/**
 * One HTTP operation: its schemas validate the request and write the OpenAPI document; its path
 * (OpenAPI syntax, `{id}`) becomes the Express route and the `route` label of metrics and logs.
 */
export interface Endpoint<P extends z.ZodType | undefined = z.ZodType | undefined, Q extends z.ZodType | undefined = z.ZodType | undefined, B extends z.ZodType | undefined = z.ZodType | undefined> {
  method: Method;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: P;
  query?: Q;
  /** Set on every POST: the body is read as JSON (16 KiB at most) and validated by it. */
  body?: B;
  /** false: the body schema accepts an absent body and the document shows none. */
  documentBody?: boolean;
  responses: Record<number, ResponseDoc>;
  /** The refusals this operation can answer with, for the document. */
  problems: ProblemCode[];
  /**
   * The endpoint's usual well-formed input, recognised by hand: a hot endpoint otherwise pays for
   * zod on every request. It must accept only input its schemas accept, and give what they give;
   * null hands the request to the schemas, which also word every refusal.
   */
  fastInput?(req: Request): Input<P, Q, B> | null;
  handle(input: Input<P, Q, B>, context: EndpointContext): Reply | Promise<Reply>;
}

type Input<P, Q, B> = { params: Output<P>; query: Output<Q>; body: Output<B> };

/** Keeps each endpoint's schemas and handler types tied together, then erases them for lists. */
export function endpoint<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  definition: Endpoint<P, Q, B>,
): Endpoint {
  return definition as unknown as Endpoint;
}

export function expressPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}

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
    send(req, res, await definition.handle(input as never, { req, res }));
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

export function send(req: Request, res: Response, reply: Reply): void {
  if (reply instanceof Problem) return sendProblem(req, res, reply);
  if (reply.kind === 'empty') {
    res.status(reply.status).end();
    return;
  }
  if (reply.kind === 'text') {
    res.status(reply.status).type(reply.contentType).send(reply.body);
    return;
  }
  if (reply.headers) for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  sendJson(res, reply.status, reply.body);
}

/**
 * What `res.status(s).json(body)` sends (ETag is off), without Express re-parsing and re-writing
 * its own Content-Type to add the charset on every answer. Node leaves the body out for HEAD.
 */
function sendJson(res: Response, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Reads a JSON body. A body of another type is refused with 415 before a byte is read; an absent
 * (or empty) body is left undefined for the schema to judge.
 */
function jsonBodyReader(): RequestHandler {
  const parse = express.json({ limit: BODY_LIMIT_BYTES, type: JSON_TYPES, strict: true });
  return (req, res, next) => {
    if (!hasBody(req)) return next();
    if (!req.is(JSON_TYPES)) return sendProblem(req, res, new Problem('UNSUPPORTED_MEDIA_TYPE'));
    parse(req, res, next);
  };
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

interface KnownPath {
  pattern: RegExp;
  route: string;
  methods: Set<string>;
}

/**
 * Answers what no route took: 405 with Allow when the path is known under other methods (204 for
 * OPTIONS), else 404.
 */
export function fallback(endpoints: readonly Endpoint[]): RequestHandler {
  const known = new Map<string, KnownPath>();
  for (const { path, method } of endpoints) {
    const entry = known.get(path) ?? { pattern: pathPattern(path), route: expressPath(path), methods: new Set<string>() };
    entry.methods.add(method.toUpperCase());
    if (method === 'get') entry.methods.add('HEAD');
    known.set(path, entry);
  }
  const paths = [...known.values()];
  return (req: Request, res: Response, _next: NextFunction) => {
    const match = paths.find((entry) => entry.pattern.test(req.path));
    if (!match) {
      res.locals.route ??= '(unmatched)';
      return sendProblem(req, res, new Problem('NOT_FOUND', { params: { path: req.path } }));
    }
    res.locals.route = match.route;
    const allow = [...match.methods, 'OPTIONS'].join(', ');
    res.setHeader('Allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    sendProblem(req, res, new Problem('METHOD_NOT_ALLOWED', { params: { method: req.method, allow } }));
  };
}

function pathPattern(path: string): RegExp {
  const source = path
    .split(/(\{\w+\})/)
    .map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`, 'i');
}

/** The Location header of a 201 or 202, for the document. */
export const LOCATION = { Location: { description: 'URL of the created resource', schema: { type: 'string' as const } } };
