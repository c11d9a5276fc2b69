import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { REPO_ROOT, TestDatabase } from '@ticketing/testkit';
import { openBenchContext, runId, tearDown } from './context.js';
import { renderScalingTable, scaling, withScalingTable, type ScalingRow } from './scaling.js';
import { repeatMedian } from './stats.js';

/**
 * `npm run bench -- --cluster`: the scaling figures of docs/SCALING.md. Writes
 * bench/results/<date>-cluster.json and the generated table in docs/SCALING.md.
 */
export async function clusterBench(options: { quick: boolean; writeDocs: boolean; log: (line: string) => void }): Promise<void> {
  const { quick, log } = options;
  const repeats = quick ? 1 : 3;
  const totalQueued = quick ? 5_000 : 20_000;
  const ctx = await openBenchContext({ quick, repeats });
  const date = new Date().toISOString();
  let rows: ScalingRow[];
  try {
    ctx.memberIds = await new TestDatabase(ctx.databaseUrl).insertMembers(`bench-${runId}`, totalQueued);
    log(`${ctx.memberIds.length} members inserted; ${repeats} run(s) per configuration`);
    rows = await scaling(ctx, totalQueued, (name, times, once) => repeatMedian(name, times, once, log), log);
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
