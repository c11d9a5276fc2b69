import type { DecidedResult, DrainQueue, PeekedRequest, RetentionQueue, StateRemoval, TicketRef } from '@ticketing/core';
import { parseJobData } from './jobData.js';
import { activeEntry, activeTicketsKey, BULL_QUEUE_KEYS, decisionsChannel, parseActiveEntry, removalsKey, ticketKeys } from './keys.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

/**
 * The workers' side of the per-ticket queues: reads and completes the BullMQ jobs the API added,
 * with the Lua scripts in ../lua, under the ticket lock's fencing token.
 */
/** Most job hashes one removeState step deletes: bounds how long one call holds Redis. */
const REMOVED_PER_STEP = 500;
/** How long submissions are refused ENDED after a removal: far beyond the API's ticket cache. */
const ENDED_FLAG_S = 3600;

export class RedisDrainQueue implements DrainQueue, RetentionQueue {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: { prefix: string; lockTtlMs?: number },
  ) {}

  async activeTickets(): Promise<TicketRef[]> {
    const members = await this.redis.smembers(activeTicketsKey(this.options.prefix));
    return members.flatMap((entry) => parseActiveEntry(entry) ?? []);
  }

  async peekBatch(ticket: TicketRef, fencingToken: number, max: number): Promise<PeekedRequest[] | null> {
    const keys = ticketKeys(this.options.prefix, ticket);
    const reply = await runScript<Array<string | null> | null>(
      this.redis,
      'peekBatch',
      [keys.lock, keys.wait],
      [String(fencingToken), max, keys.jobPrefix],
    );
    if (reply === null) return null;
    const batch: PeekedRequest[] = [];
    for (let i = 0; i < reply.length; i += 2) {
      const requestId = reply[i] as string;
      batch.push({ requestId, request: parseJobData(requestId, reply[i + 1]) });
    }
    return batch;
  }

  async completeBatch(ticket: TicketRef, fencingToken: number, results: readonly DecidedResult[], soldOut: boolean): Promise<boolean> {
    const keys = ticketKeys(this.options.prefix, ticket);
    const args: Array<string | number> = [String(fencingToken), keys.jobPrefix, Date.now(), soldOut ? 1 : 0];
    for (const { requestId, outcome, releasedMemberId } of results) {
      const failed = outcome.status === 'FAILED' ? outcome.reason : '';
      args.push(requestId, JSON.stringify(outcome), failed, releasedMemberId === undefined ? '' : String(releasedMemberId));
    }
    const done = await runScript<number>(
      this.redis,
      'completeBatch',
      [keys.lock, keys.wait, keys.completed, keys.failed, keys.events, keys.soldOut, keys.members],
      args,
    );
    if (done !== 1) return false;
    if (results.length > 0) {
      await this.redis.publish(decisionsChannel(this.options.prefix), results.map((result) => result.requestId).join(' '));
    }
    return true;
  }

  async retireIfEmpty(ticket: TicketRef): Promise<boolean> {
    const active = activeTicketsKey(this.options.prefix);
    await this.redis.srem(active, activeEntry(ticket));
    // The API adds to the active set after its job: a job that landed before the removal is seen here.
    if ((await this.redis.llen(ticketKeys(this.options.prefix, ticket).wait)) === 0) return true;
    await this.redis.sadd(active, activeEntry(ticket));
    return false;
  }

  async scheduleRemoval(ticket: TicketRef, atMs: number): Promise<void> {
    await this.redis.zadd(removalsKey(this.options.prefix), atMs, activeEntry(ticket));
  }

  async unscheduleRemoval(ticket: TicketRef): Promise<void> {
    await this.redis.zrem(removalsKey(this.options.prefix), activeEntry(ticket));
  }

  async dueRemovals(nowMs: number, max: number): Promise<TicketRef[]> {
    const entries = await this.redis.zrangebyscore(removalsKey(this.options.prefix), '-inf', nowMs, 'LIMIT', 0, max);
    return entries.flatMap((entry) => parseActiveEntry(entry) ?? []);
  }

  async removeState(ticket: TicketRef, fencingToken: number): Promise<StateRemoval> {
    const keys = ticketKeys(this.options.prefix, ticket);
    const others = BULL_QUEUE_KEYS.map((suffix) => keys.jobPrefix + suffix);
    return runScript<StateRemoval>(
      this.redis,
      'removeState',
      [keys.lock, keys.wait, keys.completed, keys.failed, keys.members, keys.soldOut, keys.ended, keys.fence],
      [String(fencingToken), this.options.lockTtlMs ?? 5000, keys.jobPrefix, REMOVED_PER_STEP, ENDED_FLAG_S, ...others],
    );
  }
}
