import type { Page, PageRequest } from '@ticketing/core';

/** Prisma's skip/take for a 1-based page; a page outside 1.. or a size below 1 is a caller's bug. */
export function pageWindow({ page, size }: PageRequest): { skip: number; take: number } {
  if (!Number.isSafeInteger(page) || page < 1) throw new RangeError(`page must be a positive integer, got ${page}`);
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
  return { skip: (page - 1) * size, take: size };
}

export function toPage<T>(items: T[], total: number, { page, size }: PageRequest): Page<T> {
  return { items, page, size, total };
}
