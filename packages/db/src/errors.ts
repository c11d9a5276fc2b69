import { errorChain } from '@ticketing/core';
import { Prisma } from './generated/prisma/client.js';

/**
 * The driver-level reason behind a Prisma error, wherever Prisma put it: model operations raise
 * P2002/P2003, raw queries raise P2010 with the adapter's error under meta.driverAdapterError,
 * and a bare mariadb SqlError carries errno.
 */
type ConstraintKind = 'UniqueConstraintViolation' | 'ForeignKeyConstraintViolation';

const PRISMA_CODES: Record<ConstraintKind, string> = {
  UniqueConstraintViolation: 'P2002',
  ForeignKeyConstraintViolation: 'P2003',
};
const MYSQL_ERRNOS: Record<ConstraintKind, readonly number[]> = {
  UniqueConstraintViolation: [1062], // ER_DUP_ENTRY
  ForeignKeyConstraintViolation: [1451, 1452], // ER_ROW_IS_REFERENCED_2, ER_NO_REFERENCED_ROW_2
};

export function isUniqueViolation(error: unknown): boolean {
  return violates(error, 'UniqueConstraintViolation');
}

export function isForeignKeyViolation(error: unknown): boolean {
  return violates(error, 'ForeignKeyConstraintViolation');
}

function violates(error: unknown, kind: ConstraintKind): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === PRISMA_CODES[kind]) return true;
  for (const link of errorChain(error)) {
    if (link.kind === kind) return true;
    const errno = typeof link.errno === 'number' ? link.errno : Number(link.originalCode);
    if (MYSQL_ERRNOS[kind].includes(errno)) return true;
  }
  return false;
}
