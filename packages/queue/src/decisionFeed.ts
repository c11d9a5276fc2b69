import type { DecisionWatch, LineProgress } from '@ticketing/core';
import { decisionsChannel, progressChannel } from './keys.js';
import { LineFollowers } from './lineFollowers.js';
import { createSubscriber, type RedisClient } from './redis.js';

/**
 * Long polls and event streams without polling: workers publish the ids of each completed batch
 * on one channel, and the ticket's progress on another; each API process keeps one subscriber
 * connection for both, wakes the waiters of those ids and tells the ticket's followers (at most
 * 4 times a second per ticket, however fast the batches come), so no watcher costs a Redis read.
 */
export class DecisionFeed {
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #lines = new Map<number, LineFollowers>();
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
    const line = this.#lines.get(ticketId) ?? new LineFollowers();
    line.listeners.add(listener);
    this.#lines.set(ticketId, line);
    return () => {
      line.listeners.delete(listener);
      if (line.listeners.size === 0 && this.#lines.get(ticketId) === line) {
        line.close();
        this.#lines.delete(ticketId);
      }
    };
  }

  async close(): Promise<void> {
    for (const line of this.#lines.values()) line.close();
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
    if (this.#lines.size === 0) return;
    const [ticket, decided, pace] = message.split(' ');
    const line = this.#lines.get(Number(ticket));
    if (!line) return;
    const progress: LineProgress = { decided: Number(decided), decidedPerSecond: pace ? Number(pace) : null };
    if (!Number.isSafeInteger(progress.decided)) return;
    line.progress(progress);
  }
}
