import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { runMigrations } from '@ticketing/db';
import { REPO_ROOT, TestDatabase } from '@ticketing/testkit';
import { benchDatabaseUrl, openPool, openRedis, runId, tearDown, type BenchContext } from './context.js';
import { RssSampler } from './processes.js';
import { renderScalingTable, scaling, withScalingTable, type ScalingRow } from './scaling.js';
import { medianOf } from './stats.js';

/**
 * `npm run bench -- --cluster`: the scaling figures of docs/SCALING.md. Writes
 * bench/results/<date>-cluster.json and the generated table in docs/SCALING.md.
 */
export async function clusterBench(options: { quick: boolean; writeDocs: boolean; log: (line: string) => void }): Promise<void> {
  const { quick, log } = options;
  const repeats = quick ? 1 : 3;
  const totalQueued = quick ? 5_000 : 20_000;
  const databaseUrl = benchDatabaseUrl(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/ticketing');
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  for (const url of [databaseUrl, redisUrl]) {
    if (!['127.0.0.1', 'localhost'].includes(new URL(url).hostname)) throw new Error(`bench traffic stays on 127.0.0.1: ${url}`);
  }
  const prefix = `bench-${runId}`;
  await runMigrations({ databaseUrl });
  const pool = openPool(databaseUrl, 8);
  const redis = openRedis(redisUrl);
  const sampler = new RssSampler();
  const ctx: BenchContext = {
    quick, repeats, databaseUrl, redisUrl, prefix, pool, redis, sampler, memberIds: [],
    systemEnv: { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, LOCK_TTL_MS: '5000' },
  };
  const date = new Date().toISOString();
  let rows: ScalingRow[];
  try {
    ctx.memberIds = await new TestDatabase(databaseUrl).insertMembers(`bench-${runId}`, totalQueued);
    log(`${ctx.memberIds.length} members inserted; ${repeats} run(s) per configuration`);
    rows = await scaling(ctx, totalQueued, async (name, times, once) => {
      const runs = [];
      for (let i = 0; i < times; i++) {
        const result = await once();
        log(`${name} #${i + 1}: ${JSON.stringify(result)}`);
        runs.push(result);
      }
      return medianOf(runs);
    }, log);
  } finally {
    await tearDown(ctx, log);
  }
  const machine = `${cpus().length} cores, node ${process.version}`;
  mkdirSync(`${REPO_ROOT}bench/results`, { recursive: true });
  const resultsFile = `bench/results/${date.slice(0, 10)}-cluster${quick ? '-quick' : ''}.json`;
  writeFileSync(`${REPO_ROOT}${resultsFile}`, `${JSON.stringify({ date, quick, repeats, totalQueued, machine, rows }, null, 2)}\n`);
  log(`wrote ${resultsFile}`);
  const table = renderScalingTable(rows, { date, repeats, totalQueued, resultsFile, machine });
  process.stdout.write(`${table}\n`);
  if (options.writeDocs) {
    const path = `${REPO_ROOT}docs/SCALING.md`;
    writeFileSync(path, withScalingTable(readFileSync(path, 'utf8'), table));
    log('wrote the table in docs/SCALING.md');
  }
}
