import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { activeEntry, activeTicketsKey, RedisSubmissionQueue, ticketKeys } from '@ticketing/queue';
import { runPool } from '@ticketing/testkit';
import { forgetTicket, insertTicket, verifyIssues, type BenchContext } from './context.js';
import { startWorkers, type ProcessOptions } from './system.js';

export interface DrainResult {
  tickets: number;
  workers: number;
  queued: number;
  decisions: number;
  drainMs: number;
  decisionsPerSecond: number;
  violations: number;
}

/**
 * Pre-fills `tickets` queues with `queuedPerTicket` requests each (RedisSubmissionQueue.enqueue, the
 * API's own add, bypassing admission), then lets `workers` worker processes drain them and times
 * from the moment the tickets are announced to the workers until every wait list is empty.
 */
export async function drain(
  ctx: BenchContext,
  options: { tickets: number; queuedPerTicket: number; stockPerTicket: number; workers: number },
  workerProcess: ProcessOptions = {},
): Promise<DrainResult> {
  const { tickets, queuedPerTicket, stockPerTicket, workers } = options;
  if (queuedPerTicket > ctx.memberIds.length) throw new Error(`drain needs ${queuedPerTicket} members`);
  const queue = new RedisSubmissionQueue(ctx.redis, { prefix: ctx.prefix });
  const refs: Array<{ ticketId: number; epoch: string }> = [];
  for (let t = 0; t < tickets; t++) {
    const generation = randomBytes(20).toString('hex');
    // The request ids below must carry the row's epoch, or the workers answer them TICKET_NOT_FOUND.
    refs.push({ ticketId: await insertTicket(ctx.pool, 'drain', stockPerTicket, generation), epoch: generation.slice(0, 8) });
  }
  const ticketIds = refs.map((ref) => ref.ticketId);
  const entries = refs.map(activeEntry);
  const members = ctx.memberIds.slice(0, queuedPerTicket);
  try {
    for (const { ticketId, epoch } of refs) {
      const acceptedAt = Date.now();
      await runPool(members.length, 256, (n) =>
        queue.enqueue({
          requestId: `${ticketId}-${members[n]}-${epoch}-${randomBytes(8).toString('hex')}`,
          ticketId,
          memberId: members[n]!,
          acceptedAt,
        }),
      );
    }
    // Hidden from the workers until they are up, so their start-up is not timed.
    await ctx.redis.srem(activeTicketsKey(ctx.prefix), ...entries);
    const started = await startWorkers(ctx, workers, workerProcess);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const t0 = performance.now();
      await ctx.redis.sadd(activeTicketsKey(ctx.prefix), ...entries);
      const deadline = t0 + 600_000;
      for (;;) {
        let left = 0;
        for (const ref of refs) left += await ctx.redis.llen(ticketKeys(ctx.prefix, ref).wait);
        if (left === 0) break;
        if (performance.now() > deadline) throw new Error(`drain: ${left} requests still queued after 600 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      const drainMs = performance.now() - t0;
      const violations: string[] = [];
      let decisions = 0;
      for (const ref of refs) {
        const { ticketId } = ref;
        const completed = await ctx.redis.zcard(ticketKeys(ctx.prefix, ref).completed);
        decisions += completed;
        if (completed !== queuedPerTicket) violations.push(`ticket ${ticketId}: ${completed} decided of ${queuedPerTicket}`);
        violations.push(...(await verifyIssues(ctx.databaseUrl, ticketId, Math.min(stockPerTicket, queuedPerTicket))));
      }
      for (const v of violations) process.stderr.write(`drain violation: ${v}\n`);
      return {
        tickets,
        workers,
        queued: queuedPerTicket * tickets,
        decisions,
        drainMs: Math.round(drainMs),
        decisionsPerSecond: Math.round((decisions / drainMs) * 1000),
        violations: violations.length,
      };
    } finally {
      await Promise.all(started.map((worker) => worker.stop()));
    }
  } finally {
    for (const ticketId of ticketIds) await forgetTicket(ctx, ticketId);
  }
}
