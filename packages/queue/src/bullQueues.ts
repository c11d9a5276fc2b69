import { Queue } from 'bullmq';
import { queueName } from './keys.js';
import type { RedisClient } from './redis.js';

const MAX_CACHED = 1000;

/**
 * One BullMQ Queue object per ticket, all sharing the caller's connection (BullMQ reuses a
 * connection it is given). Kept in a small LRU: a process talks to few tickets at a time.
 */
export class BullQueues {
  readonly #queues = new Map<number, Queue>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  get(ticketId: number): Queue {
    let queue = this.#queues.get(ticketId);
    if (queue) {
      this.#queues.delete(ticketId);
    } else {
      queue = new Queue(queueName(ticketId), { connection: this.redis, prefix: this.prefix });
      queue.on('error', () => undefined); // surfaced by the failing call itself
      if (this.#queues.size >= MAX_CACHED) this.#evictOldest();
    }
    this.#queues.set(ticketId, queue);
    return queue;
  }

  /** Drops a queue object whose connection set-up failed, so the next call builds a fresh one. */
  forget(ticketId: number): void {
    const queue = this.#queues.get(ticketId);
    this.#queues.delete(ticketId);
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
export function bullQueueFor(redis: RedisClient, prefix: string, ticketId: number): Queue {
  return new Queue(queueName(ticketId), { connection: redis, prefix });
}
