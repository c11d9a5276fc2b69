import type { DecidedResult, DrainQueue, PeekedRequest } from '@ticketing/core';
import { parseJobData } from './jobData.js';
import { activeTicketsKey, decisionsChannel, progressChannel, ticketKeys } from './keys.js';
import { PaceMeter } from './paceMeter.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

/**
 * The workers' side of the per-ticket queues: reads and completes the BullMQ jobs the API added,
 * with the Lua scripts in ../lua, under the ticket lock's fencing token.
 */
export class RedisDrainQueue implements DrainQueue {
  readonly #pace = new PaceMeter();

  constructor(
    private readonly redis: RedisClient,
    private readonly options: { prefix: string },
  ) {}

  async activeTickets(): Promise<number[]> {
    const members = await this.redis.smembers(activeTicketsKey(this.options.prefix));
    return members.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0);
  }

  async peekBatch(ticketId: number, fencingToken: number, max: number): Promise<PeekedRequest[] | null> {
    const keys = ticketKeys(this.options.prefix, ticketId);
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

  async completeBatch(ticketId: number, fencingToken: number, results: readonly DecidedResult[], soldOut: boolean): Promise<boolean> {
    const keys = ticketKeys(this.options.prefix, ticketId);
    const pace = results.length > 0 ? this.#pace.record(ticketId, results.length) : null;
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
        this.redis.publish(progressChannel(prefix), `${ticketId} ${done[1]} ${pace === null ? '' : pace.toFixed(1)}`),
      ]);
    }
    return true;
  }

  async retireIfEmpty(ticketId: number): Promise<boolean> {
    this.#pace.forget(ticketId);
    const active = activeTicketsKey(this.options.prefix);
    await this.redis.srem(active, ticketId);
    // The API adds to the active set after its job: a job that landed before the removal is seen here.
    if ((await this.redis.llen(ticketKeys(this.options.prefix, ticketId).wait)) === 0) return true;
    await this.redis.sadd(active, ticketId);
    return false;
  }
}
