import { hostname } from 'node:os';
import type { TicketRef } from '@ticketing/core';
import { Cluster } from 'ioredis';
import { activeEntry, queueName } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * Shows a worker on Bull Board while it holds a ticket's lock. BullMQ's Queue.getWorkers() (what
 * the board asks) lists the CLIENT LIST entries named `<prefix>:<base64(queue name)>`, or that
 * followed by `:w:<worker name>` (bullmq utils/create-backend.js and queue-getters.js): a BullMQ
 * Worker names its blocking connection so. Our drain reads many tickets' queues over one shared
 * connection and no BullMQ Worker, so the board said "No workers" while we drained. Here each held
 * ticket gets one small idle connection with that name, closed when the drain ends: at most one
 * per ticket the process drains (WORKER_MAX_TICKETS), and a killed process leaves none behind,
 * since Redis drops a dead client's connection with its socket.
 */
export class RedisWorkerPresence {
  readonly #shown = new Map<string, RedisClient>();
  readonly #workerName: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: { prefix: string; workerName?: string },
  ) {
    this.#workerName = clientNameSafe(options.workerName ?? `${hostname()}-${process.pid}`);
  }

  /** The connection name BullMQ's getWorkers() counts for this ticket's queue, with our worker name. */
  clientName(ticket: TicketRef): string {
    return `${this.options.prefix}:${Buffer.from(queueName(ticket)).toString('base64')}:w:${this.#workerName}`;
  }

  /** Opens the ticket's named connection unless it is open; never waits and never throws (the board is not worth a drain's delay). */
  show(ticket: TicketRef): void {
    const key = activeEntry(ticket);
    if (this.#shown.has(key)) return;
    const connectionName = this.clientName(ticket);
    // Idle by design: it only has to exist. No retries while it is away: the next drain shows it again.
    const quiet = { connectionName, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null };
    const client =
      this.redis instanceof Cluster
        ? this.redis.duplicate(undefined, { redisOptions: { ...this.redis.options.redisOptions, ...quiet } })
        : this.redis.duplicate(quiet);
    client.on('error', () => undefined);
    // A cluster client connects to a node at its first command; any node will do for CLIENT LIST.
    if (client instanceof Cluster) client.once('ready', () => void client.ping().catch(() => undefined));
    this.#shown.set(key, client);
  }

  /** Closes the ticket's named connection, if this process has one. */
  async hide(ticket: TicketRef): Promise<void> {
    const key = activeEntry(ticket);
    const client = this.#shown.get(key);
    if (!client) return;
    this.#shown.delete(key);
    await close(client);
  }

  /** How many tickets this process shows as drained. */
  get shown(): number {
    return this.#shown.size;
  }

  async close(): Promise<void> {
    const clients = [...this.#shown.values()];
    this.#shown.clear();
    await Promise.all(clients.map(close));
  }
}

async function close(client: RedisClient): Promise<void> {
  // QUIT when connected, so Redis forgets the name before the call returns; else just drop the socket.
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}

/** CLIENT SETNAME refuses spaces and newlines; a host name may hold anything. */
function clientNameSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
