import { loadConfig } from '@ticketing/config';
import { tolerateDriverSetupRejections } from '@ticketing/db';
import { pino } from 'pino';
import { compose } from './composition.js';

/** After SIGTERM/SIGINT, batches in progress get this long to commit; whatever is left stays queued. */
const SHUTDOWN_DEADLINE_MS = 9000;

const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
})();

const log = pino({ level: config.LOG_LEVEL, base: { process: 'worker', pid: process.pid } });
tolerateDriverSetupRejections(log);
const worker = compose(config, { logger: log });
await worker.warmUp();
worker.supervisor.start();
log.info(
  {
    batchSize: config.WORKER_BATCH_SIZE,
    lockTtlMs: config.LOCK_TTL_MS,
    prefix: config.QUEUE_PREFIX,
    idleMs: config.WORKER_IDLE_MS,
    maxTickets: config.WORKER_MAX_TICKETS,
  },
  'worker started',
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal, draining: worker.supervisor.drainingTickets }, 'finishing current batches');
  // A batch that cannot finish in time (say the database is away) stays queued for another worker.
  const deadline = setTimeout(() => {
    log.warn('shutdown deadline reached; exiting with uncommitted batches left in their queues');
    process.exit(0);
  }, SHUTDOWN_DEADLINE_MS);
  await worker.close();
  clearTimeout(deadline);
  log.info('worker stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
