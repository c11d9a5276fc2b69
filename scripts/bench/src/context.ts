import { randomBytes } from 'node:crypto';
import { createPool, type Pool } from 'mariadb';
import { runMigrations } from '@ticketing/db';
import { createRedis, type RedisClient } from '@ticketing/queue';
import { checkRows, connectionOptions, dropTestDatabase, removeKeys, TestDatabase, testDatabaseUrl } from '@ticketing/testkit';
import { RssSampler, stopAll } from './processes.js';

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

/** The run's own database on the server of `base` (DATABASE_URL). */
export function benchDatabaseUrl(base: string): string {
  return testDatabaseUrl(`bench_${runId}`, base);
}

/**
 * A run's context: its own database (bench_<runId>, migrated) and Redis prefix on the servers of
 * DATABASE_URL and REDIS_URL, which must be on this machine; no members yet.
 */
export async function openBenchContext(options: { quick: boolean; repeats: number; redisUrl?: string }): Promise<BenchContext> {
  const databaseUrl = benchDatabaseUrl(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/ticketing');
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  for (const url of [databaseUrl, redisUrl]) {
    if (!['127.0.0.1', 'localhost'].includes(new URL(url).hostname)) throw new Error(`bench traffic stays on 127.0.0.1: ${url}`);
  }
  const prefix = `bench-${runId}`;
  await runMigrations({ databaseUrl });
  return {
    ...options,
    databaseUrl,
    redisUrl,
    prefix,
    pool: openPool(databaseUrl, 8),
    redis: openRedis(redisUrl),
    sampler: new RssSampler(),
    memberIds: [],
    systemEnv: { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, LOCK_TTL_MS: '5000' },
  };
}

export function openPool(databaseUrl: string, connectionLimit = 8): Pool {
  return createPool({ ...connectionOptions(databaseUrl), connectionLimit });
}

export function openRedis(redisUrl: string): RedisClient {
  return createRedis({ redisUrl }, 'ticketing-bench');
}

/** `generation` binds the row's Redis state (random unless a caller needs to know it). */
export async function insertTicket(
  pool: Pool,
  name: string,
  totalQuantity: number,
  generation = randomBytes(20).toString('hex'),
): Promise<number> {
  const result = (await pool.query(
    'INSERT INTO ticket (name, total_quantity, open_at, generation) VALUES (?, ?, NOW(3) - INTERVAL 1 MINUTE, ?)',
    [`${name}-${randomBytes(3).toString('hex')}`, totalQuantity, generation],
  )) as { insertId: bigint | number };
  return Number(result.insertId);
}

/** G1/G2 against the database: exactly `expectedIssued` rows, distinct members, numbers 1..n, counter agrees. */
export async function verifyIssues(databaseUrl: string, ticketId: number, expectedIssued: number): Promise<string[]> {
  const database = new TestDatabase(databaseUrl);
  const [rows, ticket] = await Promise.all([database.issueRows(ticketId), database.ticket(ticketId)]);
  const { violations } = checkRows({ rows, ticket, totalQuantity: ticket.totalQuantity, expected: expectedIssued });
  return violations.map((violation) => `ticket ${ticketId}: ${violation}`);
}

/** Every generation's keys of a ticket id (see the queue package's keys.ts). */
export const ticketPatterns = (prefix: string, ticketId: number): string[] => [
  `${prefix}:ticket-{${ticketId}}-*`,
  `${prefix}:issuance:{${ticketId}}-*`,
];

/** Removes a finished ticket's queue, lock and flags from Redis (our prefix only). */
export async function forgetTicket(ctx: { redis: RedisClient; prefix: string }, ticketId: number): Promise<void> {
  const active = `${ctx.prefix}:active-tickets`;
  const entries = (await ctx.redis.smembers(active)).filter((entry) => entry.startsWith(`${ticketId}:`));
  if (entries.length > 0) await ctx.redis.srem(active, ...entries);
  for (const pattern of ticketPatterns(ctx.prefix, ticketId)) await removeKeys(ctx.redis, pattern);
}

/** Ends a bench run: its processes stopped, its keys and database removed, its connections closed. */
export async function tearDown(
  ctx: Pick<BenchContext, 'prefix' | 'pool' | 'redis' | 'sampler' | 'databaseUrl'>,
  log: (line: string) => void,
): Promise<void> {
  ctx.sampler.close();
  await stopAll();
  await removeKeys(ctx.redis, `${ctx.prefix}:*`).catch((error: unknown) => log(`redis cleanup: ${String(error)}`));
  await dropTestDatabase(`bench_${runId}`, ctx.databaseUrl).catch((error: unknown) => log(`drop database: ${String(error)}`));
  await ctx.pool.end();
  ctx.redis.disconnect();
}
