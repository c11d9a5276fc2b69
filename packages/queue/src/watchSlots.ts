import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

/** A held slot, or when the member already holds its limit, how long until the soonest lease ends. */
export type WatchSlot = { held: true; release(): void } | { held: false; retryAfterMs: number };

/**
 * The long-polls and event streams each member holds, counted in Redis for every API process
 * (WATCH_PER_MEMBER). Each slot is a lease: given back when the watch ends, and ending by itself
 * when the process holding it dies, so a killed API never leaves a member locked out for longer
 * than the lease.
 */
export class RedisWatchSlots {
  /** Slot ids of this process start with it, so two processes' slots never collide. */
  readonly #owner = randomBytes(6).toString('hex');
  #next = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: { prefix: string },
  ) {}

  async hold(memberId: number, limit: number, leaseMs: number): Promise<WatchSlot> {
    // The hash tag keeps a member's set in one cluster slot; members spread across the masters.
    const key = `${this.options.prefix}:watch:{m${memberId}}`;
    const slot = `${this.#owner}:${++this.#next}`;
    const [held, retryAfterMs] = await runScript<[number, number]>(this.redis, 'holdWatch', [key], [limit, slot, Math.ceil(leaseMs)]);
    if (held !== 1) return { held: false, retryAfterMs };
    return {
      held: true,
      release: () => {
        // A slot that cannot be given back now ends with its lease.
        this.redis.zrem(key, slot).catch(() => undefined);
      },
    };
  }
}
