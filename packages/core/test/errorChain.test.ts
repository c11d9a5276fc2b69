import { describe, expect, test } from '@jest/globals';
import { errorChain } from '../src/index.js';

/** At most limit links: a generator that never ends must not hang the test. */
function firstLinks(error: unknown, limit = 20): unknown[] {
  const links: unknown[] = [];
  for (const link of errorChain(error)) {
    links.push(link);
    if (links.length >= limit) break;
  }
  return links;
}

describe('errorChain', () => {
  test('follows cause from the outermost error inwards', () => {
    const root = new Error('ECONNREFUSED');
    const middle = new Error('pool timeout', { cause: root });
    const outer = new Error('query failed', { cause: middle });
    expect(firstLinks(outer)).toEqual([outer, middle, root]);
  });

  test('prefers Prisma’s meta.driverAdapterError to cause, and falls back to cause when meta has none', () => {
    const driver = { code: 'ER_LOCK_DEADLOCK' };
    const ignoredCause = new Error('not followed');
    const prisma = { code: 'P2034', meta: { driverAdapterError: driver }, cause: ignoredCause };
    expect(firstLinks(prisma)).toEqual([prisma, driver]);
    const inner = new Error('inner');
    const withOtherMeta = { meta: { target: 'ticket' }, cause: inner };
    expect(firstLinks(withOtherMeta)).toEqual([withOtherMeta, inner]);
  });

  test('yields only objects: nothing for a string, null or undefined, and a chain stops at one', () => {
    expect(firstLinks('boom')).toEqual([]);
    expect(firstLinks(null)).toEqual([]);
    expect(firstLinks(undefined)).toEqual([]);
    const withText = { cause: 'socket hang up' };
    expect(firstLinks(withText)).toEqual([withText]);
    const withNull = { cause: null };
    expect(firstLinks(withNull)).toEqual([withNull]);
  });

  test('stops after six links, on a cycle or on a deep chain', () => {
    const cyclic: Record<string, unknown> = { name: 'cyclic' };
    cyclic.cause = cyclic;
    expect(firstLinks(cyclic)).toEqual(Array.from({ length: 6 }, () => cyclic));
    let deep: Record<string, unknown> = { depth: 9 };
    for (let depth = 8; depth >= 1; depth -= 1) deep = { depth, cause: deep };
    expect(firstLinks(deep).map((link) => (link as { depth: number }).depth)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
