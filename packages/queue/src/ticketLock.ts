import type { TicketLock, TicketRef } from '@ticketing/core';
import { ticketKeys } from './keys.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

/** One holder per ticket row's queue at a time (the fence too is the row's); the value of the lock is the holder's fencing token. */
export class RedisTicketLock implements TicketLock {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: { prefix: string; ttlMs: number },
  ) {}

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  async acquire(ticket: TicketRef): Promise<number | null> {
    const keys = ticketKeys(this.options.prefix, ticket);
    const token = await runScript<string | null>(this.redis, 'acquireLock', [keys.lock, keys.fence], [this.ttlMs]);
    return token === null ? null : Number(token);
  }

  async renew(ticket: TicketRef, fencingToken: number): Promise<boolean> {
    const { lock } = ticketKeys(this.options.prefix, ticket);
    return (await runScript<number>(this.redis, 'renewLock', [lock], [String(fencingToken), this.ttlMs])) === 1;
  }

  async release(ticket: TicketRef, fencingToken: number): Promise<void> {
    const { lock } = ticketKeys(this.options.prefix, ticket);
    await runScript<number>(this.redis, 'releaseLock', [lock], [String(fencingToken)]);
  }

  async raiseFence(ticket: TicketRef, fencingToken: number, floor: number): Promise<number | null> {
    const keys = ticketKeys(this.options.prefix, ticket);
    const token = await runScript<string | null>(
      this.redis,
      'raiseFence',
      [keys.lock, keys.fence],
      [String(fencingToken), String(floor), this.ttlMs],
    );
    return token === null ? null : Number(token);
  }
}
