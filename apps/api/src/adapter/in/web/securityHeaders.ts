import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's strict headers on every response. helmet's answer never depends on the request, so it
 * is asked once, at start-up, on a response that only records them; each request then sets the
 * recorded list instead of running helmet's middlewares on the hot path.
 */
export function apiSecurityHeaders(): RequestHandler {
  const headers = recordedHeaders(helmet());
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/**
 * Swagger UI and Bull Board need inline scripts and styles to render: their paths get helmet with
 * a relaxed Content-Security-Policy, which replaces the strict one set before.
 */
export function consoleSecurityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'", "'unsafe-inline'"],
        'style-src': ["'self'", "'unsafe-inline'", 'https:'],
        'img-src': ["'self'", 'data:', 'https:'],
        'font-src': ["'self'", 'data:', 'https:'],
        // The consoles are often opened over plain HTTP; upgrading their assets would break them.
        'upgrade-insecure-requests': null,
      },
    },
  });
}

function recordedHeaders(middleware: RequestHandler): ReadonlyArray<readonly [string, string]> {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string) => headers.push([name, value]),
    // helmet removes X-Powered-By, which the app never sets (app.disable('x-powered-by')).
    removeHeader: () => undefined,
  };
  let called = false;
  middleware({} as never, recorder as never, () => {
    called = true;
  });
  if (!called || headers.length === 0) throw new Error('helmet did not answer synchronously: its headers cannot be recorded');
  return headers;
}
