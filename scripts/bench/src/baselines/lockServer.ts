import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { openPool } from '../context.js';
import { decideOne } from './decide.js';

/**
 * Baselines (a) and (b) as a synchronous endpoint: POST {memberId} → 200 with the decision.
 * BASELINE=redis-lock: one global Redis lock (SET NX PX, Lua release) around the transaction, as
 * in the seed project; BASELINE=for-update: no Redis lock, `SELECT … FOR UPDATE` on the ticket row.
 */
const mode = process.env.BASELINE === 'for-update' ? 'for-update' : 'redis-lock';
const ticketId = Number(process.env.TICKET_ID);
const pool = openPool(process.env.DATABASE_URL!, 16);
const redis = new Redis(process.env.REDIS_URL!);
const lockKey = `${process.env.QUEUE_PREFIX}:baseline:global-lock`;
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
const LOCK_TTL_MS = 3000;
const WAIT_LIMIT_MS = 30_000;

/**
 * A spin lock's sleep between tries (the seed's `Thread.sleep` loop), jittered so 256 waiters do
 * not retry in step. Tried on this machine: a 1 ms sleep makes the waiters' own SETs starve the
 * holder (54 decisions/s, some waits past 30 s); 10–100 ms keeps the lock busy with about one
 * try per 0.2 ms from 256 waiters, which is this design at its best.
 */
function backOffMs(): number {
  return 10 + Math.random() * 90;
}

async function withGlobalLock<T>(work: () => Promise<T>): Promise<T> {
  const token = randomBytes(8).toString('hex');
  const giveUpAt = Date.now() + WAIT_LIMIT_MS;
  while ((await redis.set(lockKey, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') {
    if (Date.now() > giveUpAt) throw new Error('lock wait timeout');
    await new Promise((r) => setTimeout(r, backOffMs()));
  }
  try {
    return await work();
  } finally {
    await redis.eval(RELEASE, 1, lockKey, token);
  }
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    void (async () => {
      try {
        const { memberId } = JSON.parse(Buffer.concat(chunks).toString()) as { memberId: number };
        const decide = () => decideOne(pool, ticketId, memberId, mode === 'for-update');
        const decision = mode === 'for-update' ? await decide() : await withGlobalLock(decide);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(decision));
      } catch (error) {
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
      }
    })();
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  server.close();
  void Promise.allSettled([pool.end(), redis.quit()]).then(() => process.exit(0));
});
