import { randomBytes } from 'node:crypto';
import { createPool, type Pool } from 'mariadb';
import { createRedis, type RedisClient } from '@ticketing/queue';
import { stopAll, type RssSampler } from './processes.js';

export interface BenchContext {
  quick: boolean;
  repeats: number;
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  pool: Pool;
  redis: RedisClient;
  sampler: RssSampler;
  /** Members bulk-inserted once, ids in insertion order. */
  memberIds: number[];
  /** Environment for API and worker processes. */
  systemEnv: Record<string, string>;
}

export const runId = randomBytes(4).toString('hex');

export function benchDatabaseUrl(base: string): string {
  const url = new URL(base);
  url.pathname = `/bench_${runId}`;
  return url.toString();
}

export function openPool(databaseUrl: string, connectionLimit = 8): Pool {
  const url = new URL(databaseUrl);
  return createPool({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1),
    connectionLimit,
  });
}

export function openRedis(redisUrl: string): RedisClient {
  return createRedis({ redisUrl }, 'ticketing-bench');
}

/** Inserts `count` members with multi-row INSERTs (the API would take minutes); returns their ids. */
export async function bulkMembers(pool: Pool, tag: string, count: number): Promise<number[]> {
  const chunk = 5000;
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const names = Array.from({ length: n }, (_, i) => `${tag}-${start + i}`);
    await pool.query(`INSERT INTO member (name) VALUES ${names.map(() => '(?)').join(',')}`, names);
  }
  const rows = (await pool.query('SELECT id FROM member WHERE name LIKE ? ORDER BY id', [`${tag}-%`])) as Array<{ id: number }>;
  return rows.map((row) => Number(row.id));
}

export async function insertTicket(pool: Pool, name: string, totalQuantity: number): Promise<number> {
  const result = (await pool.query(
    'INSERT INTO ticket (name, total_quantity, open_at) VALUES (?, ?, NOW(3) - INTERVAL 1 MINUTE)',
    [`${name}-${randomBytes(3).toString('hex')}`, totalQuantity],
  )) as { insertId: bigint | number };
  return Number(result.insertId);
}

/** G1/G2 against the database: exactly `expectedIssued` rows, distinct members, numbers 1..n, counter agrees. */
export async function verifyIssues(pool: Pool, ticketId: number, expectedIssued: number): Promise<string[]> {
  const [row] = (await pool.query(
    `SELECT COUNT(*) AS n, COUNT(DISTINCT member_id) AS members, COALESCE(MIN(issue_number), 0) AS lo, COALESCE(MAX(issue_number), 0) AS hi,
            COUNT(DISTINCT issue_number) AS numbers, (SELECT issued_quantity FROM ticket WHERE id = ?) AS counter
       FROM member_ticket WHERE ticket_id = ?`,
    [ticketId, ticketId],
  )) as Array<Record<string, bigint | number>>;
  const v = Object.fromEntries(Object.entries(row!).map(([k, x]) => [k, Number(x)]));
  const violations: string[] = [];
  if (v.n !== expectedIssued) violations.push(`ticket ${ticketId}: ${v.n} issued, expected ${expectedIssued}`);
  if (v.members !== v.n) violations.push(`ticket ${ticketId}: ${v.n! - v.members!} duplicate members`);
  if (v.n! > 0 && (v.lo !== 1 || v.hi !== v.n || v.numbers !== v.n)) violations.push(`ticket ${ticketId}: issue numbers not 1..${v.n}`);
  if (v.counter !== v.n) violations.push(`ticket ${ticketId}: issued_quantity ${v.counter} but ${v.n} rows`);
  return violations;
}

/** Deletes this run's keys only: everything under `<prefix>:` (our own QUEUE_PREFIX). */
export async function deleteKeys(redis: RedisClient, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  for (let round = 0; round < 100_000; round++) {
    const [next, keys] = (await (redis as import('ioredis').Redis).scan(cursor, 'MATCH', pattern, 'COUNT', 1000)) as [string, string[]];
    if (keys.length > 0) deleted += await redis.unlink(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  return deleted;
}

export const ticketPatterns = (prefix: string, ticketId: number): string[] => [`${prefix}:ticket-{${ticketId}}:*`, `${prefix}:issuance:{${ticketId}}:*`];

/** Removes a finished ticket's queue, lock and flags from Redis (our prefix only). */
export async function forgetTicket(ctx: { redis: RedisClient; prefix: string }, ticketId: number): Promise<void> {
  await ctx.redis.srem(`${ctx.prefix}:active-tickets`, ticketId);
  for (const pattern of ticketPatterns(ctx.prefix, ticketId)) await deleteKeys(ctx.redis, pattern);
}

/** Ends a bench run: its processes stopped, its keys and database removed, its connections closed. */
export async function tearDown(ctx: Pick<BenchContext, 'prefix' | 'pool' | 'redis' | 'sampler'>, log: (line: string) => void): Promise<void> {
  ctx.sampler.close();
  await stopAll();
  await deleteKeys(ctx.redis, `${ctx.prefix}:*`).catch((error: unknown) => log(`redis cleanup: ${String(error)}`));
  await ctx.pool.query(`DROP DATABASE IF EXISTS \`bench_${runId}\``).catch((error: unknown) => log(`drop database: ${String(error)}`));
  await ctx.pool.end();
  ctx.redis.disconnect();
}
