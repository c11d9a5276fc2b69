import { createHash, timingSafeEqual } from 'node:crypto';
import type { TicketRef } from '@ticketing/core';

/**
 * Where each ticket's data lives in Redis. Every key of one ticket carries the hash tag
 * `{<ticketId>}`, so in Redis Cluster a ticket's queue, lock and flags share one slot (its Lua
 * scripts stay atomic) while different tickets spread across the masters. Every key also carries
 * the epoch of the ticket row's generation: a row that reuses the id (a database reset or
 * restore) starts with no state, and never reads the earlier row's.
 */
export function queueName({ ticketId, epoch }: TicketRef): string {
  return `ticket-{${ticketId}}-${epoch}`;
}

export interface TicketKeys {
  /** BullMQ's key prefix for the ticket's queue: `<prefix>:ticket-{id}-<epoch>:`; a job's hash is this + jobId. */
  jobPrefix: string;
  wait: string;
  completed: string;
  failed: string;
  events: string;
  lock: string;
  fence: string;
  soldOut: string;
  members: string;
  /** Set (for a while) once the ticket's state was removed after its sale ended. */
  ended: string;
  /** Hash: `admitted` (the next sequence number) and `decided` (requests taken off the queue): positions (G11). */
  line: string;
  /** The ticket's recent decisions per second, as its drainer last measured them; expires when no one drains. */
  pace: string;
}

export function ticketKeys(prefix: string, ticket: TicketRef): TicketKeys {
  const bull = `${prefix}:${queueName(ticket)}:`;
  const own = `${prefix}:issuance:{${ticket.ticketId}}-${ticket.epoch}:`;
  return {
    jobPrefix: bull,
    wait: `${bull}wait`,
    completed: `${bull}completed`,
    failed: `${bull}failed`,
    events: `${bull}events`,
    lock: `${own}lock`,
    fence: `${own}fence`,
    soldOut: `${own}sold-out`,
    members: `${own}members`,
    ended: `${own}ended`,
    line: `${own}line`,
    pace: `${own}pace`,
  };
}

/** Tickets whose queues may hold requests; workers watch it (one key, outside any ticket's slot). */
export const activeTicketsKey = (prefix: string): string => `${prefix}:active-tickets`;

/** Ticket rows' queues whose state is to be removed, scored by when (epoch ms): retention (G10). */
export const removalsKey = (prefix: string): string => `${prefix}:state-removals`;

/**
 * The keys BullMQ may make for a queue besides its jobs (job hashes are removed one by one): all of
 * them go when an ended ticket's state is removed.
 */
export const BULL_QUEUE_KEYS = [
  'wait',
  'paused',
  'meta',
  'id',
  'events',
  'marker',
  'completed',
  'failed',
  'delayed',
  'prioritized',
  'pc',
  'active',
  'stalled',
  'stalled-check',
  'limiter',
  'repeat',
  'de',
  'waiting-children',
  'metrics:completed',
  'metrics:completed:data',
  'metrics:failed',
  'metrics:failed:data',
] as const;

/** A queue's entry in the active set: `<ticketId>:<epoch>`. */
export const activeEntry = ({ ticketId, epoch }: TicketRef): string => `${ticketId}:${epoch}`;

export function parseActiveEntry(entry: string): TicketRef | null {
  const match = /^([1-9]\d{0,9}):([0-9a-f]{8})$/.exec(entry);
  return match ? { ticketId: Number(match[1]), epoch: match[2]! } : null;
}
export const decisionsChannel = (prefix: string): string => `${prefix}:decisions`;
/** Each completed batch's `<ticketId> <decided> <pace>`: what moves every waiting request's position. */
export const progressChannel = (prefix: string): string => `${prefix}:progress`;
export const metricsKey = (prefix: string): string => `${prefix}:metrics`;

export interface RequestIdParts {
  ticketId: number;
  memberId: number;
  epoch: string;
}

/**
 * Request ids are `<ticketId>-<memberId>-<epoch>-<nonce><seal>` (made by admitBatch.lua): opaque to
 * clients, but they name the ticket row's queue, and whom to report a request Redis has lost for.
 */
export function parseRequestId(requestId: string): RequestIdParts | null {
  const match = /^([1-9]\d{0,9})-([1-9]\d{0,9})-([0-9a-f]{8})-[0-9a-f]{16}$/.exec(requestId);
  return match ? { ticketId: Number(match[1]), memberId: Number(match[2]), epoch: match[3]! } : null;
}

/**
 * Whether admitBatch.lua made this id with this secret (the ticket row's generation): the seal is
 * the first 8 hex of sha1(secret:id-without-seal), which a client cannot make up without the
 * secret. The row keeps the secret, so the check needs no Redis state.
 */
export function isSealedBy(secret: string, requestId: string): boolean {
  const unsealed = requestId.slice(0, -8);
  const expected = Buffer.from(createHash('sha1').update(`${secret}:${unsealed}`).digest('hex').slice(0, 8), 'utf8');
  const given = Buffer.from(requestId.slice(-8), 'utf8');
  // Constant time, so response timing does not reveal how many leading characters of a guessed seal match.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
