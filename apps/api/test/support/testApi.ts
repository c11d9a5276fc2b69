import { afterAll, beforeAll } from '@jest/globals';
import { loadConfig } from '@ticketing/config';
import { drainTicket, systemClock, ticketRef, type DrainResult, type Logger, type TicketRef } from '@ticketing/core';
import { createPrisma, PrismaTicketStore, type PrismaClient } from '@ticketing/db';
import { createRedis, RedisDrainQueue, redisReady, RedisTicketLock, SharedMetrics, type RedisClient } from '@ticketing/queue';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pino, type DestinationStream } from 'pino';
import { createApp, type AppDeps } from '../../src/app.js';
import { compose } from '../../src/composition.js';
import { client, type Client } from './http.js';
import {
  createTestDatabase,
  removeRedisPrefix,
  TEST_AUTH_JWT_SECRET,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
  waitUntil,
  type TestDatabase,
} from '@ticketing/testkit';

export const BOARD_USER = 'admin';
export const BOARD_PASSWORD = 'board-secret';

export interface TestApi {
  url: string;
  deps: AppDeps;
  database: TestDatabase;
  prefix: string;
  close(): Promise<void>;
}

/**
 * The real app, composed from configuration exactly as main.ts does, listening on an ephemeral
 * port: real MariaDB (a fresh database per suite) and real Redis (a fresh key prefix per suite).
 * Tokens are verified with TEST_AUTH_JWT_SECRET (testTokens signs with it); the per-member
 * submissions limit is off unless `env` sets it, as the tests of the limits do.
 */
export async function startTestApi(
  env: Record<string, string> = {},
  shared?: { database: TestDatabase; prefix: string },
  logTo?: DestinationStream,
): Promise<TestApi> {
  const database = shared?.database ?? (await createTestDatabase());
  const prefix = shared?.prefix ?? uniqueRedisPrefix();
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    BOARD_USER,
    BOARD_PASSWORD,
    LOG_LEVEL: 'silent',
    AUTH_JWT_SECRET: TEST_AUTH_JWT_SECRET,
    RATE_SUBMIT_PER_MEMBER: '0',
    ...env,
  });
  const logger = logTo ? pino({ level: 'info' }, logTo) : pino({ level: config.LOG_LEVEL });
  const composition = compose(config, { logger });
  // Like a deployment behind a readiness probe: serve once Redis is connected (unless the test
  // points the app at a Redis that is not there on purpose).
  if (!('REDIS_URL' in env)) await waitUntil(() => composition.deps.health.redis(), 'the app connected to Redis', 5000, 20);
  const server = await listen(createApp(composition.deps));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deps: composition.deps,
    database,
    prefix,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await composition.close();
      if (!shared) {
        await removeRedisPrefix(prefix);
        await database.drop();
      }
    },
  };
}

function listen(app: ReturnType<typeof createApp>): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * What a worker process does, in-process: drains a ticket's queue with the core drain loop over
 * the real adapters, until the queue is empty. Tests use it to get requests decided.
 */
export class TestWorker {
  readonly prisma: PrismaClient;
  readonly redis: RedisClient;
  readonly #queue: RedisDrainQueue;
  readonly #store: PrismaTicketStore;

  constructor(private readonly api: TestApi) {
    this.prisma = createPrisma(api.database.url);
    this.redis = createRedis({ redisUrl: TEST_REDIS_URL }, 'api-test-worker');
    this.#queue = new RedisDrainQueue(this.redis, { prefix: api.prefix });
    this.#store = new PrismaTicketStore(this.prisma);
  }

  async ready(): Promise<this> {
    await redisReady(this.redis, 2000);
    return this;
  }

  /** The queue of ticket row `ticketId` (its epoch comes from the row's generation). */
  async ref(ticketId: number): Promise<TicketRef> {
    const { generation } = await this.prisma.ticket.findUniqueOrThrow({ where: { id: ticketId }, select: { generation: true } });
    return ticketRef(ticketId, generation);
  }

  async drain(ticketId: number): Promise<DrainResult> {
    return drainTicket(
      {
        store: this.#store,
        queue: this.#queue,
        lock: new RedisTicketLock(this.redis, { prefix: this.api.prefix, ttlMs: 5000 }),
        clock: systemClock,
        log: silent,
        observer: new SharedMetrics(this.redis, { prefix: this.api.prefix }),
        settings: { batchSize: 100, idleMs: 30, maxPollMs: 10, retryMinMs: 10, retryMaxMs: 100, resultTtlMs: 86_400_000 },
      },
      await this.ref(ticketId),
      new AbortController().signal,
    );
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.prisma.$disconnect();
  }
}

export interface Suite {
  readonly api: TestApi;
  readonly worker: TestWorker;
  readonly http: Client;
}

/** The usual suite: one app and one test worker, started before its tests and closed after them. */
export function useTestSuite(): Suite {
  const suite = {} as { api: TestApi; worker: TestWorker; http: Client };
  beforeAll(async () => {
    suite.api = await startTestApi();
    suite.worker = await new TestWorker(suite.api).ready();
    suite.http = client(suite.api.url);
  });
  afterAll(async () => {
    await suite.worker?.close();
    await suite.api?.close();
  });
  return suite;
}
