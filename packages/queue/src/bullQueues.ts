import type { TicketRef } from '@ticketing/core';
import { Queue } from 'bullmq';
import { activeEntry, queueName } from './keys.js';
import type { RedisClient } from './redis.js';

const MAX_CACHED = 1000;

/**
 * One BullMQ Queue object per ticket, all sharing the caller's connection (BullMQ reuses a
 * connection it is given). Kept in a small LRU: a process talks to few tickets at a time.
 */
export class BullQueues {
  readonly #queues = new Map<string, Queue>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  get(ticket: TicketRef): Queue {
    const key = activeEntry(ticket);
    let queue = this.#queues.get(key);
    if (queue) {
      this.#queues.delete(key);
    } else {
      queue = new Queue(queueName(ticket), { connection: this.redis, prefix: this.prefix });
      queue.on('error', () => undefined); // surfaced by the failing call itself
      if (this.#queues.size >= MAX_CACHED) this.#evictOldest();
    }
    this.#queues.set(key, queue);
    return queue;
  }

  /** Drops a queue object whose connection set-up failed, so the next call builds a fresh one. */
  forget(ticket: TicketRef | string): void {
    const key = typeof ticket === 'string' ? ticket : activeEntry(ticket);
    const queue = this.#queues.get(key);
    this.#queues.delete(key);
    void queue?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.close().catch(() => undefined)));
    this.#queues.clear();
  }

  #evictOldest(): void {
    const oldest = this.#queues.keys().next();
    if (!oldest.done) this.forget(oldest.value);
  }
}

/** A BullMQ Queue for Bull Board to show one ticket's requests. */
export function bullQueueFor(redis: RedisClient, prefix: string, ticket: TicketRef): Queue {
  return new Queue(queueName(ticket), { connection: redis, prefix });
}
