import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Where each ticket's data lives in Redis. Every key of one ticket carries the hash tag
 * `{<ticketId>}`, so in Redis Cluster a ticket's queue, lock and flags share one slot (its Lua
 * scripts stay atomic) while different tickets spread across the masters.
 */
export function queueName(ticketId: number): string {
  return `ticket-{${ticketId}}`;
}

export interface TicketKeys {
  /** BullMQ's key prefix for the ticket's queue: `<prefix>:ticket-{id}:`; a job's hash is this + jobId. */
  jobPrefix: string;
  wait: string;
  completed: string;
  failed: string;
  events: string;
  lock: string;
  fence: string;
  soldOut: string;
  members: string;
  epoch: string;
  /** Hash: `admitted` (the next sequence number) and `decided` (requests taken off the queue): positions (G11). */
  line: string;
  /** The ticket's recent decisions per second, as its drainer last measured them; expires when no one drains. */
  pace: string;
}

export function ticketKeys(prefix: string, ticketId: number): TicketKeys {
  const bull = `${prefix}:${queueName(ticketId)}:`;
  const own = `${prefix}:issuance:{${ticketId}}:`;
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
    epoch: `${own}epoch`,
    line: `${own}line`,
    pace: `${own}pace`,
  };
}

/** Tickets whose queues may hold requests; workers watch it (one key, outside any ticket's slot). */
export const activeTicketsKey = (prefix: string): string => `${prefix}:active-tickets`;
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
 * clients, but they name the ticket's queue, and whom to report a request Redis has lost for.
 */
export function parseRequestId(requestId: string): RequestIdParts | null {
  const match = /^([1-9]\d{0,9})-([1-9]\d{0,9})-([0-9a-f]{8})-[0-9a-f]{16}$/.exec(requestId);
  return match ? { ticketId: Number(match[1]), memberId: Number(match[2]), epoch: match[3]! } : null;
}

/**
 * Whether admitBatch.lua made this id under the ticket's epoch secret: the seal is the first 8 hex of
 * sha1(secret:id-without-seal), which a client cannot make up without the secret.
 */
export function isSealedBy(secret: string, requestId: string): boolean {
  const unsealed = requestId.slice(0, -8);
  const expected = Buffer.from(createHash('sha1').update(`${secret}:${unsealed}`).digest('hex').slice(0, 8), 'utf8');
  const given = Buffer.from(requestId.slice(-8), 'utf8');
  // Constant time, so response timing does not reveal how many leading characters of a guessed seal match.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
