import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

declare module 'node:http' {
  interface ServerResponse {
    /** Set by the error handler: the fault behind a 5xx, logged with the request's line. */
    err?: Error;
  }
}

// A caller's id is echoed when it is a sane token, so logs can be joined across services.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type Level = 'info' | 'warn' | 'error';

/**
 * One JSON log line per request, with its route pattern, what the handler noted about it (e.g.
 * ticketId, requestId) and x-request-id (echoed back): the line pino-http wrote, but built only
 * when its level is logged, so a quiet log level costs the hot path nothing.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', id);
    const startedAt = Date.now();
    res.once('close', () => {
      const status = res.statusCode;
      const error = res.err ?? (status >= 500 ? new Error(`failed with status code ${status}`) : undefined);
      // 503 is a dependency being away (already visible in /readyz), not a fault of this process.
      const level: Level = status === 503 ? 'warn' : error ? 'error' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        line(req, res, id, Date.now() - startedAt, error),
        error ? 'request errored' : res.writableEnded ? 'request completed' : 'request aborted',
      );
    });
    next();
  };
}

function line(req: Request, res: Response, id: string, responseTime: number, err: Error | undefined): object {
  const locals = res.locals as { route?: string; logFields?: object };
  return {
    req: { id, method: req.method, url: req.originalUrl },
    res: { statusCode: res.statusCode },
    responseTime,
    route: locals.route,
    ...locals.logFields,
    ...(err ? { err } : {}),
  };
}
