import type { DecisionWatch, LineProgress } from '@ticketing/core';
import { decisionsChannel, progressChannel } from './keys.js';
import { createSubscriber, type RedisClient } from './redis.js';

/**
 * Long polls and event streams without polling: workers publish the ids of each completed batch
 * on one channel, and the ticket's progress on another; each API process keeps one subscriber
 * connection for both, wakes the waiters of those ids and tells the ticket's followers, so the
 * work grows with the batches, not with the number of watchers.
 */
export class DecisionFeed {
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #followers = new Map<number, Set<(progress: LineProgress) => void>>();
  readonly #subscriber: RedisClient;
  readonly #channel: string;
  readonly #progressChannel: string;
  #subscribed: Promise<unknown> | null = null;

  constructor(redis: RedisClient, prefix: string) {
    this.#channel = decisionsChannel(prefix);
    this.#progressChannel = progressChannel(prefix);
    this.#subscriber = createSubscriber(redis);
    this.#subscriber.on('error', () => undefined); // reconnects by itself; readiness is reported by /readyz
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#wake(message);
      else if (channel === this.#progressChannel) this.#progress(message);
    });
  }

  /** Subscribes once; later calls return the same promise. */
  start(): Promise<unknown> {
    this.#subscribed ??= this.#subscriber.subscribe(this.#channel, this.#progressChannel).catch(() => undefined);
    return this.#subscribed;
  }

  watch(requestId: string): DecisionWatch {
    void this.start();
    let wake: () => void = () => undefined;
    const decided = new Promise<true>((resolve) => {
      wake = () => resolve(true);
    });
    const set = this.#waiters.get(requestId) ?? new Set();
    set.add(wake);
    this.#waiters.set(requestId, set);
    let stopWaiting = (): void => undefined;
    return {
      until: (timeoutMs, signal) => {
        if (signal?.aborted) return Promise.resolve(false);
        const givenUp = new Promise<false>((resolve) => {
          const giveUp = () => resolve(false);
          const timer = setTimeout(giveUp, timeoutMs);
          signal?.addEventListener('abort', giveUp, { once: true });
          stopWaiting = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', giveUp);
          };
        });
        return Promise.race([decided, givenUp]).finally(() => stopWaiting());
      },
      close: () => {
        stopWaiting();
        set.delete(wake);
        if (set.size === 0 && this.#waiters.get(requestId) === set) this.#waiters.delete(requestId);
      },
    };
  }

  /** Tells `listener` each progress of the ticket's line until the returned function is called. */
  followLine(ticketId: number, listener: (progress: LineProgress) => void): () => void {
    void this.start();
    const set = this.#followers.get(ticketId) ?? new Set();
    set.add(listener);
    this.#followers.set(ticketId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#followers.get(ticketId) === set) this.#followers.delete(ticketId);
    };
  }

  async close(): Promise<void> {
    this.#subscriber.disconnect();
  }

  #wake(message: string): void {
    if (this.#waiters.size === 0) return;
    for (const requestId of message.split(' ')) {
      const set = this.#waiters.get(requestId);
      if (set) for (const wake of set) wake();
    }
  }

  /** `<ticketId> <decided> <pace>`, as RedisDrainQueue publishes it. */
  #progress(message: string): void {
    if (this.#followers.size === 0) return;
    const [ticket, decided, pace] = message.split(' ');
    const listeners = this.#followers.get(Number(ticket));
    if (!listeners) return;
    const progress: LineProgress = { decided: Number(decided), decidedPerSecond: pace ? Number(pace) : null };
    if (!Number.isSafeInteger(progress.decided)) return;
    for (const listener of listeners) listener(progress);
  }
}
