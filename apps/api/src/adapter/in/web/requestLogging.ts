import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

// A caller's id is echoed when it is a sane token, so logs can be joined across services.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The route pattern, plus what a handler noted about the request (e.g. ticketId, requestId). */
function context(res: unknown): object {
  const locals = (res as { locals?: { route?: string; logFields?: object } }).locals;
  return { route: locals?.route, ...locals?.logFields };
}

/** One JSON log line per request, with its route pattern and x-request-id (echoed back). */
export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId(req, res) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    // 503 is a dependency being away (already visible in /readyz), not a fault of this process.
    customLogLevel: (_req, res, error) => (res.statusCode === 503 ? 'warn' : error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessObject: (_req, res, value: object) => ({ ...value, ...context(res) }),
    customErrorObject: (_req, res, _error, value: object) => ({ ...value, ...context(res) }),
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}
