import type { DecidedResult, DrainQueue, PeekedRequest, RetentionQueue, StateRemoval, TicketRef } from '@ticketing/core';
import { parseJobData } from './jobData.js';
import {
  activeEntry,
  activeTicketsKey,
  BULL_QUEUE_KEYS,
  decisionsChannel,
  parseActiveEntry,
  progressChannel,
  removalsKey,
  ticketKeys,
} from './keys.js';
import { PaceMeter } from './paceMeter.js';
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
  readonly #pace = new PaceMeter();

  constructor(
    private readonly redis: RedisClient,
    private readonly options: { prefix: string; lockTtlMs?: number },
  ) {}

  async activeTickets(): Promise<TicketRef[]> {
    const members = await this.redis.smembers(activeTicketsKey(this.options.prefix));
    return members.flatMap((entry) => parseActiveEntry(entry) ?? []);
  }

  async peekBatch(
    ticket: TicketRef,
    fencingToken: number,
    max: number,
    behind: readonly PeekedRequest[] = [],
  ): Promise<PeekedRequest[] | null> {
    const keys = ticketKeys(this.options.prefix, ticket);
    const reply = await runScript<Array<string | null> | null>(
      this.redis,
      'peekBatch',
      [keys.lock, keys.wait],
      [String(fencingToken), max, keys.jobPrefix, behind.length, behind.at(-1)?.requestId ?? ''],
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
    const pace = results.length > 0 ? this.#pace.record(activeEntry(ticket), results.length) : null;
    const args: Array<string | number> = [
      String(fencingToken),
      keys.jobPrefix,
      Date.now(),
      soldOut ? 1 : 0,
      pace === null ? '' : pace.toFixed(1),
    ];
    for (const { requestId, outcome, releasedMemberId } of results) {
      const failed = outcome.status === 'FAILED' ? outcome.reason : '';
      args.push(requestId, outcome.status, JSON.stringify(outcome), failed, releasedMemberId === undefined ? '' : String(releasedMemberId));
    }
    const done = await runScript<0 | [1, number]>(
      this.redis,
      'completeBatch',
      [keys.lock, keys.wait, keys.completed, keys.failed, keys.events, keys.soldOut, keys.members, keys.line, keys.pace],
      args,
    );
    if (done === 0) return false;
    if (results.length > 0) {
      const { prefix } = this.options;
      await Promise.all([
        this.redis.publish(decisionsChannel(prefix), results.map((result) => result.requestId).join(' ')),
        this.redis.publish(progressChannel(prefix), `${ticket.ticketId} ${done[1]} ${pace === null ? '' : pace.toFixed(1)}`),
      ]);
    }
    return true;
  }

  async retireIfEmpty(ticket: TicketRef): Promise<boolean> {
    this.#pace.forget(activeEntry(ticket));
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
    // Our own per-row keys in the queue's slot go with BullMQ's: the line and pace of G11.
    const others = [...BULL_QUEUE_KEYS.map((suffix) => keys.jobPrefix + suffix), keys.line, keys.pace];
    return runScript<StateRemoval>(
      this.redis,
      'removeState',
      [keys.lock, keys.wait, keys.completed, keys.failed, keys.members, keys.soldOut, keys.ended, keys.fence],
      [String(fencingToken), this.options.lockTtlMs ?? 5000, keys.jobPrefix, REMOVED_PER_STEP, ENDED_FLAG_S, ...others],
    );
  }
}
