import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { isSealedBy } from '../src/keys.js';

const SECRET = 'ab'.repeat(20);
const unsealed = `7-42-abababab-${'0'.repeat(8)}`;
const seal = createHash('sha1').update(`${SECRET}:${unsealed}`).digest('hex').slice(0, 8);

describe('isSealedBy', () => {
  test('accepts the seal made with the secret', () => {
    expect(isSealedBy(SECRET, unsealed + seal)).toBe(true);
  });

  test('refuses another seal, another secret, and ids too short to carry a seal', () => {
    const wrong = (seal[0] === '0' ? '1' : '0') + seal.slice(1);
    expect(isSealedBy(SECRET, unsealed + wrong)).toBe(false);
    expect(isSealedBy('cd'.repeat(20), unsealed + seal)).toBe(false);
    expect(isSealedBy(SECRET, '')).toBe(false);
    expect(isSealedBy(SECRET, seal.slice(0, 5))).toBe(false);
  });

  test('a seal of multi-byte characters (a different byte length) is refused, not thrown on', () => {
    expect(isSealedBy(SECRET, `${unsealed}éééééééé`)).toBe(false);
  });
});
