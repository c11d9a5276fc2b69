import { ticketRef } from '@ticketing/core';
import { ticketKeys } from '@ticketing/queue';
import type { Cluster, Redis } from 'ioredis';

/**
 * The request ids of a ticket row in the order Redis queued them: enqueueBatch.lua (as BullMQ
 * does) writes a `waiting` event to the queue's event stream in the same script that pushes the
 * job onto the wait list, so the stream keeps the list's order after the workers have emptied it. The stream is capped at about
 * 10,000 events (BullMQ's default, three per request): for a longer drop it holds the last part.
 */
export async function readQueueOrder(redis: Redis | Cluster, prefix: string, ticketId: number, generation: string): Promise<string[]> {
  const events = await redis.xrange(ticketKeys(prefix, ticketRef(ticketId, generation)).events, '-', '+');
  const order: string[] = [];
  const seen = new Set<string>();
  for (const [, fields] of events) {
    const field = (name: string) => fields[fields.indexOf(name) + 1];
    const jobId = field('jobId');
    if (field('event') !== 'waiting' || jobId === undefined || seen.has(jobId)) continue;
    seen.add(jobId);
    order.push(jobId);
  }
  return order;
}
