import { createHmac, timingSafeEqual, webcrypto } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DEFAULT_AUDIENCE, mintToken, TEST_AUTH_JWT_SECRET } from '@ticketing/testkit';
import { decodeJwt, jwtVerify, type JWTVerifyOptions } from 'jose';
import { median, round1 } from '../stats.js';

export interface JwtCost {
  tokens: number;
  rounds: number;
  /** Wall time of one verification awaited before the next, µs (median of the rounds). */
  sequentialUs: number;
  /** Wall time per verification with 256 in flight, as under the accept scenario's load, µs. */
  concurrentUs: number;
  /** CPU of this process (all its threads: WebCrypto runs on the thread pool) per verification, µs. */
  cpuUs: number;
  /** What the bench's "off" API does instead (reading the claims, no check), µs of wall time. */
  decodeOnlyUs: number;
  /** For comparison, not what the API does: the HS256 signature alone checked by node:crypto, synchronously, µs. */
  nodeHmacUs: number;
}

/**
 * jose's `jwtVerify` as the API's TokenVerifier (apps/api/src/adapter/in/web/auth/tokenVerifier.ts)
 * calls it for an AUTH_JWT_SECRET: the HMAC key imported once, HS256 only, `aud` required to be
 * ticketing, `exp` required, 30 s of clock tolerance. Mirrored here, since the bench starts the API
 * as a process and does not import it; every token is distinct (members 1..n), as under accept.
 */
const VERIFY_OPTIONS: JWTVerifyOptions = {
  algorithms: ['HS256'],
  audience: DEFAULT_AUDIENCE,
  requiredClaims: ['exp'],
  clockTolerance: 30,
};
const IN_FLIGHT = 256;

/** The HS256 signature of `token` checked with node:crypto on the calling thread (no claims). */
function nodeHmacValid(token: string, secret: Buffer): boolean {
  const dot = token.lastIndexOf('.');
  const expected = createHmac('sha256', secret).update(token.slice(0, dot)).digest();
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function jwtCost(options: { tokens: number; rounds: number }): Promise<JwtCost> {
  const key = await webcrypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(TEST_AUTH_JWT_SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const tokens = await Promise.all(Array.from({ length: options.tokens }, (_, n) => mintToken({ memberId: n + 1 })));
  const verify = async (token: string) => {
    const { payload } = await jwtVerify(token, key, VERIFY_OPTIONS);
    if (payload.sub === undefined) throw new Error('verified token without sub');
  };
  const perToken = (ms: number) => (ms * 1000) / tokens.length;
  const sequential: number[] = [];
  const concurrent: number[] = [];
  const cpu: number[] = [];
  const decodeOnly: number[] = [];
  const nodeHmac: number[] = [];
  const secret = Buffer.from(TEST_AUTH_JWT_SECRET);
  // Round 0 warms up (JIT, the thread pool) and is not counted.
  for (let round = 0; round <= options.rounds; round++) {
    let startedAt = performance.now();
    for (const token of tokens) await verify(token);
    const sequentialMs = performance.now() - startedAt;

    const cpuBefore = process.cpuUsage();
    startedAt = performance.now();
    for (let from = 0; from < tokens.length; from += IN_FLIGHT) await Promise.all(tokens.slice(from, from + IN_FLIGHT).map(verify));
    const concurrentMs = performance.now() - startedAt;
    const cpuUsed = process.cpuUsage(cpuBefore);

    startedAt = performance.now();
    for (const token of tokens) decodeJwt(token);
    const decodeMs = performance.now() - startedAt;

    startedAt = performance.now();
    for (const token of tokens) if (!nodeHmacValid(token, secret)) throw new Error('node:crypto refused a valid token');
    const nodeHmacMs = performance.now() - startedAt;
    if (round === 0) continue;
    sequential.push(perToken(sequentialMs));
    concurrent.push(perToken(concurrentMs));
    cpu.push(perToken((cpuUsed.user + cpuUsed.system) / 1000));
    decodeOnly.push(perToken(decodeMs));
    nodeHmac.push(perToken(nodeHmacMs));
  }
  return {
    tokens: tokens.length,
    rounds: options.rounds,
    sequentialUs: round1(median(sequential)),
    concurrentUs: round1(median(concurrent)),
    cpuUs: round1(median(cpu)),
    decodeOnlyUs: round1(median(decodeOnly)),
    nodeHmacUs: round1(median(nodeHmac)),
  };
}
