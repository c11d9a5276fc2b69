import { errorChain, StoreUnavailableError } from '@ticketing/core';
import { Prisma } from './generated/prisma/client.js';

// Prisma's own codes for "could not talk to the database": P1xxx connection errors, P2024 pool
// timeout, P2028 transaction start timeout.
const PRISMA_CODES = /^P1\d{3}$|^P2024$|^P2028$/;
// The MySQL/MariaDB protocol's: client-side connector errors (45xxx: pool timeout, socket closed,
// connection refused), too many connections, server shutting down, server gone away or lost.
const DRIVER_CODES = new Set([1040, 1053, 1927, 2002, 2003, 2006, 2013]);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTCONN']);

/** Whether the error means the database could not be reached, rather than a refused statement. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  for (const link of errorChain(error)) {
    if (typeof link.code === 'string' && (PRISMA_CODES.test(link.code) || SOCKET_CODES.has(link.code))) return true;
    const code = Number(link.originalCode ?? link.errno ?? (typeof link.code === 'number' ? link.code : NaN));
    if ((code >= 45000 && code < 45100) || DRIVER_CODES.has(code)) return true;
    if (link.kind === 'DatabaseNotReachable' || link.kind === 'ConnectionClosed' || link.kind === 'SocketTimeout') return true;
  }
  return false;
}

/**
 * Wraps a store so that "the database is away" reaches the core as StoreUnavailableError, the one
 * kind of failure the use cases and the API know how to answer (queue anyway, or 503). After such
 * a failure, calls fail at once for coolDownMs instead of each waiting out the pool's timeout.
 */
export function reportingUnavailability<T extends object>(store: T, coolDownMs = 1000): T {
  let downUntil = 0;
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (Date.now() < downUntil) return Promise.reject(new StoreUnavailableError());
        const translate = (error: unknown): never => {
          if (!isDatabaseUnavailable(error)) throw error;
          downUntil = Date.now() + coolDownMs;
          throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error);
        };
        try {
          const result: unknown = value.apply(target, args);
          // Prisma answers with lazy thenables (PrismaPromise), not Promise instances.
          return isThenable(result) ? Promise.resolve(result).catch(translate) : result;
        } catch (error) {
          return translate(error);
        }
      };
    },
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
