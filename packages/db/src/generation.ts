import { randomBytes } from 'node:crypto';

/**
 * A fresh ticket row's generation: 160 random bits as 40 hex. Its first 8 hex name the row's
 * Redis keys and appear in its request ids; the whole value seals those ids, so it must stay
 * unguessable (it never leaves the server).
 */
export function newGeneration(): string {
  return randomBytes(20).toString('hex');
}
