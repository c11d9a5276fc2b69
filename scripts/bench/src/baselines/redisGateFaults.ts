import { checkRows, waitUntil } from '@ticketing/testkit';
import type { BenchContext } from '../context.js';
import { gateKeys } from './redisGateKeys.js';
import { CHUNK, gateRows, granted, runGate } from './redisGate.js';
import { sendStream } from './stream.js';

/** What baseline (d) lost in two bounded faults of one run (see redisGateFaults). */
export interface RedisGateFaults {
  /** The consumer SIGKILLed right after this many rows, holding the rest of its popped chunk. */
  crashedAfterRows: number;
  chunk: number;
  answeredIssued: number;
  /** Rows once a second consumer drained what was left on the list. */
  rowsAfterCrash: number;
  /** Members answered ISSUED who have no row, for good. */
  lostGrants: number;
  duplicateRows: number;
  /** Members answered SOLD_OUT who ask again after the gate's Redis keys were lost. */
  askedAgain: number;
  answeredIssuedAgain: number;
  /** Their rows the database refused (UNIQUE on member and on issue number). */
  rowsRefused: number;
  rowsAfterLoss: number;
}

const counts = (line: string | undefined): { idle: boolean; total: number } => {
  const match = /^(idle|inserted) (\d+) refused (\d+)$/.exec(line ?? '');
  return match ? { idle: match[1] === 'idle', total: Number(match[2]) + Number(match[3]) } : { idle: false, total: -1 };
};

/**
 * Two faults the design does not survive, each bounded and counted against the database:
 * 1. the consumer dies with grants popped and not written (SIGKILL right after row stock/2 + 1,
 *    mid-chunk); a second consumer drains the list; the grants the first held are gone;
 * 2. the gate's member set and counter are lost (what a Redis restarted empty or a failover that
 *    lost writes does); 100 members refused SOLD_OUT ask again and are granted numbers from 1 again.
 */
export async function redisGateFaults(ctx: BenchContext, stream: number[], stock: number): Promise<RedisGateFaults> {
  const crashedAfterRows = Math.floor(stock / 2) + 1;
  const run = await runGate(ctx, stream, stock, crashedAfterRows);
  try {
    const keys = gateKeys(ctx.prefix, run.ticketId);
    await waitUntil(() => !run.consumer.process.alive, 'baseline gate: the first consumer crashed', 120_000, 20);
    const second = await run.startConsumer();
    const lastCounts = () => counts(second.lines.at(-1));
    await waitUntil(async () => (await ctx.redis.llen(keys.grants)) === 0 && lastCounts().idle, 'baseline gate: list drained', 120_000, 20);
    const grants = granted(run.answers);
    const rows = await gateRows(ctx, run.ticketId);
    const rowMembers = new Set(rows.map((row) => row.memberId));
    const { duplicates } = checkRows({ rows, totalQuantity: stock });

    const refused = run.answers.filter((a) => a.status === 200 && a.body.status === 'SOLD_OUT').slice(0, 100);
    await ctx.redis.del(keys.members, keys.issued);
    const handledBefore = lastCounts().total;
    const again = await sendStream(
      run.port,
      refused.map((a) => a.memberId),
    );
    const grantedAgain = granted(again.answers).length;
    await waitUntil(
      () => lastCounts().idle && lastCounts().total >= handledBefore + grantedAgain,
      'baseline gate: re-granted rows tried',
      60_000,
      20,
    );
    const rowsAfterLoss = (await gateRows(ctx, run.ticketId)).length;
    return {
      crashedAfterRows,
      chunk: CHUNK,
      answeredIssued: grants.length,
      rowsAfterCrash: rows.length,
      lostGrants: grants.filter((grant) => !rowMembers.has(grant.memberId)).length,
      duplicateRows: duplicates,
      askedAgain: refused.length,
      answeredIssuedAgain: grantedAgain,
      rowsRefused: grantedAgain - (rowsAfterLoss - rows.length),
      rowsAfterLoss,
    };
  } finally {
    await run.close();
  }
}
