import type { DecisionWatch } from '@ticketing/core';
import { decisionsChannel } from './keys.js';
import { createSubscriber, type RedisClient } from './redis.js';

/**
 * Long polls without polling: workers publish the ids of each completed batch on one channel;
 * each API process keeps one subscriber connection and wakes the waiters of those ids.
 */
export class DecisionFeed {
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #subscriber: RedisClient;
  readonly #channel: string;
  #subscribed: Promise<unknown> | null = null;

  constructor(redis: RedisClient, prefix: string) {
    this.#channel = decisionsChannel(prefix);
    this.#subscriber = createSubscriber(redis);
    this.#subscriber.on('error', () => undefined); // reconnects by itself; readiness is reported by /readyz
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#wake(message);
    });
  }

  /** Subscribes once; later calls return the same promise. */
  start(): Promise<unknown> {
    this.#subscribed ??= this.#subscriber.subscribe(this.#channel).catch(() => undefined);
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
}
