import type { Request, RequestHandler, Response } from 'express';
import { Counter, type Registry } from 'prom-client';
import { AuthFailure, type Principal, type TokenVerifier } from './auth/tokenVerifier.js';
import { type RateLimitDecision, type RateLimits, rateLimitHeaders } from './limits/rateLimits.js';
import { Problem } from './problem.js';
import { sendProblem } from './sendProblem.js';

/** What checks a request before its handler: the token, and the rate limits. */
export interface AccessGuards {
  tokens: Pick<TokenVerifier, 'verify'>;
  rateLimits: Pick<RateLimits, 'request' | 'submission'>;
  /** Counts the requests answered 429, by the limit that refused them. */
  limited: Counter<'limit'>;
}

export function accessGuards(tokens: AccessGuards['tokens'], rateLimits: AccessGuards['rateLimits'], registry: Registry): AccessGuards {
  return { tokens, rateLimits, limited: rateLimitedCounter(registry) };
}

/** `http_rate_limited_total{limit}`: one counter per registry, whichever part of the app refuses. */
export function rateLimitedCounter(registry: Registry): Counter<'limit'> {
  const name = 'http_rate_limited_total';
  return (
    (registry.getSingleMetric(name) as Counter<'limit'> | undefined) ??
    new Counter({
      name,
      help: 'Requests answered 429 RATE_LIMITED, by limit (ip, member, watch)',
      labelNames: ['limit'],
      registers: [registry],
    })
  );
}

/** The principal `authenticate` found for this request; null when the operation is public. */
export function principalOf(res: Response): Principal | null {
  return (res.locals.principal as Principal | undefined) ?? null;
}

/** RATE_PER_IP: counts the request against its client address (req.ip: the socket's, or X-Forwarded-For's behind TRUST_PROXY). */
export function limitPerIp(guards: AccessGuards): RequestHandler {
  return async (req, res, next) => {
    const decision = await guards.rateLimits.request(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (decision === null || !applyLimit(req, res, guards, decision, 'ip')) next();
  };
}

/** Reads the bearer token: 401 with WWW-Authenticate when it is missing or not valid, before the body is read. */
export function authenticate(guards: AccessGuards): RequestHandler {
  return async (req, res, next) => {
    const verified = await guards.tokens.verify(req.headers.authorization);
    if (verified instanceof AuthFailure) {
      const problem =
        verified.status === 503
          ? new Problem('AUTH_UNAVAILABLE', { headers: { 'Retry-After': '1' } })
          : new Problem('UNAUTHORIZED', { headers: { 'WWW-Authenticate': verified.wwwAuthenticate! } });
      res.locals.logFields = { auth: verified.id };
      return sendProblem(req, res, problem);
    }
    res.locals.principal = verified;
    next();
  };
}

/** RATE_SUBMIT_PER_MEMBER, once the rule has allowed the submission; true when it answered 429. */
export async function limitSubmissions(req: Request, res: Response, guards: AccessGuards, memberId: number): Promise<boolean> {
  const decision = await guards.rateLimits.submission(memberId);
  return decision !== null && applyLimit(req, res, guards, decision, 'member');
}

/**
 * Adds the decision to the response's RateLimit headers (every limit the request passed shows);
 * answers 429 when it is over, and then says so.
 */
function applyLimit(req: Request, res: Response, guards: AccessGuards, decision: RateLimitDecision, limit: 'ip' | 'member'): boolean {
  const decisions: RateLimitDecision[] = [...((res.locals.rateLimits as RateLimitDecision[] | undefined) ?? []), decision];
  res.locals.rateLimits = decisions;
  const headers = rateLimitHeaders(decisions);
  if (!decision.limited) {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    return false;
  }
  guards.limited.inc({ limit });
  sendProblem(req, res, new Problem('RATE_LIMITED', { headers }));
  return true;
}
