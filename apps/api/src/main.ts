import { ConfigError, loadConfig, requireTokenKeys, type Config } from '@ticketing/config';
import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import { createApp } from './app.js';
import { TokenVerifierConfigError } from './adapter/in/web/auth/tokenVerifier.js';
import { compose, type Composition } from './composition.js';
import { tolerateDriverSetupRejections } from '@ticketing/db';

/** In-flight requests still running this long after the signal are cut off... */
const DRAIN_DEADLINE_MS = 8000;
/** ...and whatever still holds the process then is abandoned, inside the 10 s SIGTERM promise. */
const EXIT_DEADLINE_MS = 9500;

function configuration(): Config {
  try {
    const config = loadConfig();
    requireTokenKeys(config);
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

const config = configuration();
const logger = pino({ level: config.LOG_LEVEL, base: { service: 'api' } });
tolerateDriverSetupRejections(logger);
const stopping = new AbortController();
function composition(): Composition {
  try {
    return compose(config, { logger, stopping: stopping.signal });
  } catch (error) {
    if (!(error instanceof TokenVerifierConfigError)) throw error;
    process.stderr.write(`invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
}

const composed = composition();
const app = createApp(composed.deps);
await composed.warmUp();

/**
 * Slow clients cannot hold connections open: a request's headers must arrive within 10 s and the
 * whole request (headers and body) within 35 s, or Node answers 408 and closes the socket. Both
 * count only until the request is received, so a 30 s long-poll, whose answer comes later, is not
 * cut. An idle keep-alive socket is governed by keepAliveTimeout alone (kept beyond the usual 60 s
 * of load balancers, so they close first); the header clock of its next request starts with that
 * request. Node checks these deadlines every connectionsCheckingInterval (30 s by default, which
 * would let a slow client stay up to 40 s): once a second keeps them close to what they say.
 */
const server: Server = createServer(
  { headersTimeout: 10_000, requestTimeout: 35_000, keepAliveTimeout: 65_000, connectionsCheckingInterval: 1000 },
  app,
);
server.once('error', (error) => {
  logger.fatal({ err: error }, 'cannot listen');
  process.exit(1);
});
/**
 * A drop opens thousands of connections in the same second. Node's default listen backlog (511)
 * overflows then, and Linux resets connections it cannot queue (48 of 10,000 polls opened at once
 * here); 4096 is the kernel's usual cap (net.core.somaxconn), which bounds it anyway.
 */
server.listen({ port: config.PORT, backlog: 4096 }, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ port, url: `http://localhost:${port}`, docs: `http://localhost:${port}/docs` }, 'api listening');
});

let shuttingDown = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
  const drainDeadline = setTimeout(() => {
    logger.warn('in-flight requests still running at the deadline; closing their connections');
    server.closeAllConnections();
  }, DRAIN_DEADLINE_MS);
  setTimeout(() => {
    logger.error('shutdown did not finish in time; exiting');
    process.exit(1);
  }, EXIT_DEADLINE_MS).unref();

  stopping.abort(); // long-polls answer now instead of waiting out their waitMs
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A keep-alive connection becomes idle when its last response is done: close it then.
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  await closed;
  clearInterval(sweeper);
  clearTimeout(drainDeadline);
  await composed.close().catch((error: unknown) => logger.error({ err: error }, 'closing connections failed'));
  logger.info('stopped');
  logger.flush();
  process.exit(0);
}

process.once('SIGTERM', (signal) => void shutdown(signal));
process.once('SIGINT', (signal) => void shutdown(signal));
