import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { AccessRule } from './auth/rights.js';
import type { Principal } from './auth/tokenVerifier.js';
import type { ProblemCode } from './messages.js';
import type { Reply } from './reply.js';

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** Content type of `schema`; application/json unless said. */
  mediaType?: string;
  headers?: Record<string, { description: string; schema: { type: 'string' | 'integer' } }>;
}

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

type Input<P, Q, B> = { params: Output<P>; query: Output<Q>; body: Output<B> };

export interface EndpointContext {
  req: Request;
  res: Response;
  /** Who the token speaks for; null on a public operation, which reads no token. */
  principal: Principal | null;
}

/**
 * One HTTP operation: its schemas validate the request and write the OpenAPI document; its path
 * (OpenAPI syntax, `{id}`) becomes the Express route and the `route` label of metrics and logs.
 */
export interface Endpoint<
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: 'get' | 'post' | 'delete';
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /**
   * Who may call it (auth/rights.ts). The token is checked before the input (401 first), the rule
   * after it (403), with `accessMember`'s member. `own-request` is left to the handler, which
   * knows the owner only once it has loaded the request.
   */
  access: AccessRule;
  /** The member whose data the call touches, for member-scoped rules: a path id, or the body's memberId. */
  accessMember?(input: Input<P, Q, B>): number | undefined;
  /** Counted against the caller's submissions limit (RATE_SUBMIT_PER_MEMBER) once the rule allows it. */
  memberLimit?: 'submissions';
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

/** Keeps each endpoint's schemas and handler types tied together, then erases them for lists. */
export function endpoint<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(definition: Endpoint<P, Q, B>): Endpoint {
  return definition as unknown as Endpoint;
}

/** The Express route of an OpenAPI path: `{id}` becomes `:id`. */
export function expressPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1');
}

/** The Location header of a 201 or 202, for the document. */
export const LOCATION = { Location: { description: 'URL of the created resource', schema: { type: 'string' as const } } };
