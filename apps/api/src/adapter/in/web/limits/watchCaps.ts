import { withinDeadline } from '@ticketing/core';
import type { RedisWatchSlots, WatchSlot } from '@ticketing/queue';
import type { Principal } from '../auth/tokenVerifier.js';

/**
 * What a request that would hold its connection open may do: wait (and `release` when it ends),
 * answer at once because this process holds WATCH_MAX already, or be refused because its member
 * holds WATCH_PER_MEMBER already.
 */
export type Watch =
  | { kind: 'wait'; release(): void }
  | { kind: 'answer-now' }
  | { kind: 'limited'; retryAfterSeconds: number; policy: string; rateLimit: string };

export interface WatchCapsOptions {
  /** The members' slots, shared by every API process. */
  slots: Pick<RedisWatchSlots, 'hold'>;
  /** WATCH_PER_MEMBER; 0 turns it off. */
  perMember: number;
  /** WATCH_MAX; 0 turns it off. */
  perProcess: number;
  /** How long Redis may take before this process's own count answers instead. */
  redisTimeoutMs?: number;
}

/** As the rate limits: a member's poll still has to be answered within the usual second (G8). */
const REDIS_TIMEOUT_MS = 200;

/**
 * A slot's lease outlives its watch by this much: the answer, once the wait ends, still has a read
 * to make. A process that dies holding slots frees them this long after their waits would have ended.
 */
const LEASE_MARGIN_MS = 5000;

const released = (): void => undefined;

/**
 * The Limits section's two caps on held long-polls (and event streams): WATCH_PER_MEMBER, counted
 * in Redis for all API processes (per process while Redis is down or slow), and WATCH_MAX, this
 * process's own bound on held connections, past which polls are answered without waiting.
 * Staff and admins are held back by WATCH_MAX alone: they are not members.
 */
export class WatchCaps {
  readonly #options: Required<WatchCapsOptions>;
  /** Watches this process holds, and of them, each member's. */
  #held = 0;
  readonly #heldByMember = new Map<number, number>();

  constructor(options: WatchCapsOptions) {
    this.#options = { redisTimeoutMs: REDIS_TIMEOUT_MS, ...options };
  }

  /** Watches this process holds now. */
  get held(): number {
    return this.#held;
  }

  async admit(principal: Principal | null, waitMs: number): Promise<Watch> {
    const { perMember, perProcess } = this.#options;
    if (perProcess > 0 && this.#held >= perProcess) return { kind: 'answer-now' };
    // Counted before the shared check answers, so concurrent requests cannot all pass WATCH_MAX's test.
    this.#held++;
    const memberId = principal?.role === 'member' ? principal.memberId : null;
    if (memberId === null || perMember === 0) return { kind: 'wait', release: this.#releaser(null, released) };

    const slot = await this.#holdShared(memberId, waitMs + LEASE_MARGIN_MS);
    if (!slot.held) {
      this.#held--;
      const seconds = Math.max(1, Math.ceil(slot.retryAfterMs / 1000));
      return { kind: 'limited', retryAfterSeconds: seconds, policy: `"watch";q=${perMember}`, rateLimit: `"watch";r=0;t=${seconds}` };
    }
    return { kind: 'wait', release: this.#releaser(memberId, slot.release) };
  }

  /** The member's slot, from Redis or (Redis down or slow) from this process's count; a held one is counted here at once. */
  async #holdShared(memberId: number, leaseMs: number): Promise<WatchSlot> {
    const { slots, perMember, redisTimeoutMs } = this.#options;
    const attempt = slots.hold(memberId, perMember, leaseMs);
    let slot: WatchSlot;
    try {
      slot = await withinDeadline(attempt, redisTimeoutMs, redisTooSlow);
    } catch {
      // A slot Redis grants after all is given back at once: this process's count has answered.
      attempt.then(
        (late) => late.held && late.release(),
        () => undefined,
      );
      const mine = this.#heldByMember.get(memberId) ?? 0;
      slot = mine < perMember ? { held: true, release: released } : { held: false, retryAfterMs: 1000 };
    }
    // Counted in the same turn as the check above, so concurrent fallbacks see each other.
    if (slot.held) this.#heldByMember.set(memberId, (this.#heldByMember.get(memberId) ?? 0) + 1);
    return slot;
  }

  /** Gives the slot back once, however many times the watch's end is reported. */
  #releaser(memberId: number | null, releaseShared: () => void): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#held--;
      if (memberId !== null) {
        const left = (this.#heldByMember.get(memberId) ?? 1) - 1;
        if (left > 0) this.#heldByMember.set(memberId, left);
        else this.#heldByMember.delete(memberId);
      }
      releaseShared();
    };
  }
}

const redisTooSlow = (): never => {
  throw new Error('watch slots: Redis did not answer in time');
};
