import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { withinDeadline } from '@ticketing/core';
import { connectionConfig, parseDatabaseUrl } from './connection.js';
import { PrismaClient } from './generated/prisma/client.js';

export interface PrismaOptions {
  /** Most connections the pool opens; default 10 (or the URL's ?connectionLimit=). */
  connectionLimit?: number;
}

// The driver waits 10 s for a pooled connection by default (twice over on a client's first
// query, which first asks the server's version). While the database is down that holds API
// requests and shutdowns far too long; with a healthy server a query waits milliseconds.
// A URL's ?acquireTimeout= still wins.
const DEFAULT_ACQUIRE_TIMEOUT_MS = 3_000;

/** A Prisma client over the mariadb driver (Prisma 7 has no native engine), for MySQL 8 and MariaDB. */
export function createPrisma(databaseUrl: string, options: PrismaOptions = {}): PrismaClient {
  const address = parseDatabaseUrl(databaseUrl);
  if (address.database === '') throw new Error('the database URL names no database');
  const adapter = new PrismaMariaDb(
    {
      acquireTimeout: DEFAULT_ACQUIRE_TIMEOUT_MS,
      connectionLimit: 10,
      ...connectionConfig(address),
      ...(options.connectionLimit === undefined ? {} : { connectionLimit: options.connectionLimit }),
    },
    { database: address.database },
  );
  return new PrismaClient({ adapter });
}

/**
 * Whether the database answers within `timeoutMs`; never throws. A query still waiting for a
 * connection when the time is up is left to fail on its own (the pool's acquire timeout).
 */
export function pingDatabase(prisma: PrismaClient, timeoutMs: number): Promise<boolean> {
  const answered = prisma.$queryRaw`SELECT 1`.then(
    () => true,
    () => false,
  );
  return withinDeadline(answered, timeoutMs, () => false);
}
