import { ConfigError, loadConfig, requireTokenKeys, type Config } from '@ticketing/config';
import type { Server } from 'node:http';
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

const server: Server = app.listen(config.PORT, (error?: Error) => {
  if (error) {
    logger.fatal({ err: error }, 'cannot listen');
    process.exit(1);
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ port, url: `http://localhost:${port}`, docs: `http://localhost:${port}/docs` }, 'api listening');
});
// Long enough for a 30 s long-poll; keep-alive beyond the usual 60 s of load balancers.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

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
