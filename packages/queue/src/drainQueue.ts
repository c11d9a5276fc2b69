import type { DecidedResult, DrainQueue, PeekedRequest, TicketRef } from '@ticketing/core';
import { parseJobData } from './jobData.js';
import { activeEntry, activeTicketsKey, decisionsChannel, parseActiveEntry, ticketKeys } from './keys.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

/**
 * The workers' side of the per-ticket queues: reads and completes the BullMQ jobs the API added,
 * with the Lua scripts in ../lua, under the ticket lock's fencing token.
 */
export class RedisDrainQueue implements DrainQueue {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: { prefix: string },
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
}
