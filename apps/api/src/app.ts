import express, { type ErrorRequestHandler, type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import { accessGuards } from './adapter/in/web/accessGuards.js';
import { BOARD_PATH } from './adapter/in/web/board.js';
import type { Endpoint } from './adapter/in/web/endpoint.js';
import { fallback } from './adapter/in/web/fallback.js';
import { httpMetrics } from './adapter/in/web/httpMetrics.js';
import { labelRoute, mountEndpoints } from './adapter/in/web/mountEndpoints.js';
import { openApiDocument } from './adapter/in/web/openApiDocument.js';
import { problemFromError } from './adapter/in/web/problemFromError.js';
import { requestLogging } from './adapter/in/web/requestLogging.js';
import { eventStreamEndpoints } from './adapter/in/web/routes/eventStreams.js';
import { issueRequestEndpoints } from './adapter/in/web/routes/issueRequests.js';
import { memberEndpoints } from './adapter/in/web/routes/members.js';
import { operationEndpoints } from './adapter/in/web/routes/operations.js';
import { ticketEndpoints } from './adapter/in/web/routes/tickets.js';
import { apiSecurityHeaders, consoleSecurityHeaders } from './adapter/in/web/securityHeaders.js';
import { sendProblem } from './adapter/in/web/sendProblem.js';
import { webPages } from './adapter/in/web/webPages.js';
import type { AppDeps } from './appDeps.js';

export type { AppDeps } from './appDeps.js';

const DOCS_PATH = '/docs';

/** The Express app. Pure wiring: no I/O happens until it serves a request. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Responses are small and mostly unique; hashing each for an ETag costs the hot path for nothing.
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Behind a proxy, req.ip (the per-IP limit's key) is read from X-Forwarded-For, as TRUST_PROXY says.
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);

  // The document describes every endpoint, /openapi.json included, so it is written once they exist.
  let document: object = {};
  const guards = accessGuards(deps.tokens, deps.rateLimits, deps.registry);
  const issueRequests = [
    ...issueRequestEndpoints({ ...deps, limited: guards.limited }),
    ...eventStreamEndpoints({ ...deps, limited: guards.limited }),
  ];
  const endpoints: Endpoint[] = [
    ...operationEndpoints(deps, () => document),
    ...memberEndpoints(deps),
    ...ticketEndpoints(deps),
    ...issueRequests,
  ];
  document = openApiDocument(endpoints);

  app.use(requestLogging(deps.logger));
  app.use(httpMetrics(deps.registry));
  app.use(apiSecurityHeaders());

  // Express tries routes in the order they were added: the drop's submissions and polls first.
  // No two paths overlap, so the order changes nothing else.
  mountEndpoints(app, [...issueRequests, ...endpoints.filter((e) => !issueRequests.includes(e))], guards);

  const consoleHeaders = consoleSecurityHeaders();
  app.use(
    DOCS_PATH,
    labelRoute(`${DOCS_PATH}/*`),
    consoleHeaders,
    swaggerUi.serveFiles(document),
    swaggerUi.setup(document, { customSiteTitle: '선착순 티켓 발급 API', swaggerOptions: { persistAuthorization: true } }),
  );
  if (deps.board) app.use(BOARD_PATH, labelRoute(`${BOARD_PATH}/*`), consoleHeaders, deps.board);
  app.use(webPages(deps.logger));

  app.use(fallback(endpoints));
  app.use(errorHandler());
  return app;
}

/**
 * The last word on anything thrown: a problem document. The error itself goes to the request's
 * log line (requestLogging logs `res.err`), with its stack, which the client never sees.
 */
function errorHandler(): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const problem = problemFromError(error);
    if (problem.code === 'INTERNAL_ERROR' || problem.code === 'QUEUE_UNAVAILABLE') {
      res.err = error instanceof Error ? error : new Error(String(error));
    }
    res.locals.route ??= '(unmatched)';
    sendProblem(req, res, problem);
  };
}
