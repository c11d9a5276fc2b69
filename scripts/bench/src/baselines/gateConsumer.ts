import { Redis } from 'ioredis';
import { openPool } from '../context.js';
import { gateKeys, parseGrant } from './redisGateKeys.js';

/**
 * Baseline (d)'s consumer: pops grants off the ticket's list (up to CHUNK at a time, as a Kafka
 * poll or a list pop with a count hands a consumer a batch) and writes one member_ticket row per
 * grant, one autocommitted INSERT each. A refused INSERT is logged and dropped, as those consumers
 * do: the grant is already off the list. Prints `inserted <rows> refused <n>` after each chunk and
 * `idle <rows> refused <n>` when the list stayed empty for 200 ms.
 * CRASH_AFTER_ROWS=n: SIGKILLs itself right after its n-th row, with the rest of its chunk popped
 * and not written (the bench's crash demonstration).
 */
const ticketId = Number(process.env.TICKET_ID);
const chunk = Number(process.env.CHUNK ?? 100);
const crashAfterRows = Number(process.env.CRASH_AFTER_ROWS ?? 0);
const keys = gateKeys(process.env.QUEUE_PREFIX!, ticketId);
const redis = new Redis(process.env.REDIS_URL!);
// One connection: the rows go in one after another, in the order of the list.
const pool = openPool(process.env.DATABASE_URL!, 1);
let rows = 0;
let refused = 0;
let stopping = false;

async function insert(grant: string): Promise<void> {
  const { memberId, issueNumber } = parseGrant(grant);
  try {
    await pool.query('INSERT INTO member_ticket (ticket_id, member_id, issue_number, request_id) VALUES (?, ?, ?, ?)', [
      ticketId,
      memberId,
      issueNumber,
      `gate-${ticketId}-${memberId}-${issueNumber}`,
    ]);
    rows += 1;
  } catch (error) {
    refused += 1;
    process.stderr.write(`grant ${grant} not written: ${(error as Error).message}\n`);
  }
  if (crashAfterRows > 0 && rows === crashAfterRows) process.kill(process.pid, 'SIGKILL');
}

process.on('SIGTERM', () => {
  stopping = true;
});
process.stdout.write('ready\n');
while (!stopping) {
  let grants = await redis.lpop(keys.grants, chunk);
  if (grants === null || grants.length === 0) {
    const popped = await redis.blpop(keys.grants, 0.2);
    if (popped === null) {
      process.stdout.write(`idle ${rows} refused ${refused}\n`);
      continue;
    }
    grants = [popped[1]];
  }
  for (const grant of grants) await insert(grant);
  process.stdout.write(`inserted ${rows} refused ${refused}\n`);
}
await Promise.allSettled([pool.end(), redis.quit()]);
process.exit(0);
