import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import {
  AUTH_FAILURES,
  AuthFailure,
  TokenVerifier,
  TokenVerifierConfigError,
  type Principal,
} from '../../src/adapter/in/web/auth/tokenVerifier.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const AUDIENCE = 'ticketing';
const now = () => Math.floor(Date.now() / 1000);

function signHs256(claims: JWTPayload, options: { secret?: string; exp?: number | null; alg?: string } = {}): Promise<string> {
  const jwt = new SignJWT({ aud: AUDIENCE, ...claims }).setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' }).setIssuedAt();
  const exp = options.exp === undefined ? now() + 3600 : options.exp;
  if (exp !== null) jwt.setExpirationTime(exp);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

const bearer = (token: string) => `Bearer ${token}`;
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function expectFailure(result: Principal | AuthFailure, failure: AuthFailure): void {
  expect(result).toBeInstanceOf(AuthFailure);
  expect((result as AuthFailure).id).toBe(failure.id);
}

describe('TokenVerifier with AUTH_JWT_SECRET (HS256)', () => {
  const verifier = new TokenVerifier({ jwtSecret: SECRET, audience: AUDIENCE });

  test('a member token gives the member id of its sub; role absent means member', async () => {
    expect(await verifier.verify(bearer(await signHs256({ sub: '42', role: 'member' })))).toEqual({
      memberId: 42,
      role: 'member',
      subject: '42',
    });
    expect(await verifier.verify(bearer(await signHs256({ sub: '7' })))).toEqual({ memberId: 7, role: 'member', subject: '7' });
    expect(await verifier.verify(bearer(await signHs256({ sub: String(Number.MAX_SAFE_INTEGER) })))).toEqual({
      memberId: Number.MAX_SAFE_INTEGER,
      role: 'member',
      subject: String(Number.MAX_SAFE_INTEGER),
    });
  });

  test('staff and admin tokens: any sub or none, never read as a member id', async () => {
    expect(await verifier.verify(bearer(await signHs256({ sub: 'alice@example.com', role: 'staff' })))).toEqual({
      memberId: null,
      role: 'staff',
      subject: 'alice@example.com',
    });
    expect(await verifier.verify(bearer(await signHs256({ sub: '42', role: 'staff' })))).toEqual({
      memberId: null,
      role: 'staff',
      subject: '42',
    });
    expect(await verifier.verify(bearer(await signHs256({ role: 'admin' })))).toEqual({ memberId: null, role: 'admin', subject: null });
  });

  test('the scheme is case-insensitive and may be followed by several spaces', async () => {
    const token = await signHs256({ sub: '5' });
    expect(await verifier.verify(`bearer ${token}`)).toMatchObject({ memberId: 5 });
    expect(await verifier.verify(`BEARER   ${token}`)).toMatchObject({ memberId: 5 });
  });

  test('no Authorization header: 401 with a bare challenge, no error code (RFC 6750 §3.1)', async () => {
    for (const header of [undefined, '']) {
      const result = await verifier.verify(header);
      expectFailure(result, AUTH_FAILURES.missing);
      expect(result).toMatchObject({ status: 401, wwwAuthenticate: 'Bearer realm="ticketing"' });
    }
  });

  test('a malformed header is invalid_request', async () => {
    const token = await signHs256({ sub: '5' });
    for (const header of [
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      'Bearer',
      'Bearer ',
      'Bearer  ',
      `Bearer${token}`,
      `Token ${token}`,
      'Bearer a b',
      'Bearer tok"en',
      'Bearer ey\\J',
    ]) {
      const result = await verifier.verify(header);
      expectFailure(result, AUTH_FAILURES.malformed);
      expect((result as AuthFailure).wwwAuthenticate).toBe(
        'Bearer realm="ticketing", error="invalid_request", error_description="Authorization must be: Bearer <token>"',
      );
    }
  });

  test('garbage after Bearer is invalid_token', async () => {
    for (const garbage of ['abc', 'abc.def.ghi', 'a.b', '...', `${b64({ alg: 'HS256' })}.${b64({ sub: '1' })}`]) {
      const result = await verifier.verify(bearer(garbage));
      expectFailure(result, AUTH_FAILURES.notJwt);
      expect((result as AuthFailure).wwwAuthenticate).toBe(
        'Bearer realm="ticketing", error="invalid_token", error_description="token is not a well-formed JWT"',
      );
    }
  });

  test('a well-formed header with an empty signature is refused', async () => {
    expectFailure(
      await verifier.verify(bearer(`${b64({ alg: 'HS256' })}.${b64({ sub: '5', aud: AUDIENCE, exp: now() + 60 })}.`)),
      AUTH_FAILURES.signature,
    );
  });

  test('a token signed with another secret is refused', async () => {
    expectFailure(
      await verifier.verify(bearer(await signHs256({ sub: '5' }, { secret: 'another-secret-of-at-least-32-characters' }))),
      AUTH_FAILURES.signature,
    );
  });

  test('a tampered payload is refused', async () => {
    const [header, , signature] = (await signHs256({ sub: '5' })).split('.');
    const forged = `${header}.${b64({ sub: '6', aud: AUDIENCE, exp: now() + 3600 })}.${signature}`;
    expectFailure(await verifier.verify(bearer(forged)), AUTH_FAILURES.signature);
  });

  test('expiry: 30 s of clock skew are forgiven, not more', async () => {
    expect(await verifier.verify(bearer(await signHs256({ sub: '5' }, { exp: now() - 20 })))).toMatchObject({ memberId: 5 });
    const expired = await verifier.verify(bearer(await signHs256({ sub: '5' }, { exp: now() - 45 })));
    expectFailure(expired, AUTH_FAILURES.expired);
    expect((expired as AuthFailure).wwwAuthenticate).toBe(
      'Bearer realm="ticketing", error="invalid_token", error_description="token has expired"',
    );
  });

  test('nbf: within the skew accepted, beyond it refused', async () => {
    expect(await verifier.verify(bearer(await signHs256({ sub: '5', nbf: now() + 20 })))).toMatchObject({ memberId: 5 });
    expectFailure(await verifier.verify(bearer(await signHs256({ sub: '5', nbf: now() + 45 }))), AUTH_FAILURES.notYetValid);
  });

  test('a remembered token still expires: it is not answered from memory past its exp and the skew', async () => {
    const token = bearer(await signHs256({ sub: '5' }, { exp: now() - 28 }));
    expect(await verifier.verify(token)).toMatchObject({ memberId: 5 });
    expect(await verifier.verify(token)).toMatchObject({ memberId: 5 });
    // Valid for 1 to 2 more seconds (exp is whole seconds): well past that, the memory must not answer.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expectFailure(await verifier.verify(token), AUTH_FAILURES.expired);
  });

  test('the same answers with the memory of verified tokens turned off', async () => {
    const plain = new TokenVerifier({ jwtSecret: SECRET, audience: AUDIENCE, cacheSize: 0 });
    const token = bearer(await signHs256({ sub: '5' }));
    for (let i = 0; i < 3; i += 1) expect(await plain.verify(token)).toEqual({ memberId: 5, role: 'member', subject: '5' });
    expectFailure(
      await plain.verify(bearer(await signHs256({ sub: '5' }, { secret: 'another-secret-of-at-least-32-characters' }))),
      AUTH_FAILURES.signature,
    );
  });

  test('a token without exp is refused', async () => {
    expectFailure(await verifier.verify(bearer(await signHs256({ sub: '5' }, { exp: null }))), AUTH_FAILURES.noExpiry);
  });

  test('a non-numeric exp is refused', async () => {
    expectFailure(
      await verifier.verify(bearer(await signHs256({ sub: '5', exp: 'tomorrow' as unknown as number }, { exp: null }))),
      AUTH_FAILURES.claim,
    );
  });

  test('aud must be AUTH_AUDIENCE (alone or among others); missing or another is refused', async () => {
    expect(await verifier.verify(bearer(await signHs256({ sub: '5', aud: ['other', AUDIENCE] })))).toMatchObject({ memberId: 5 });
    expectFailure(await verifier.verify(bearer(await signHs256({ sub: '5', aud: 'other' }))), AUTH_FAILURES.audience);
    expectFailure(await verifier.verify(bearer(await signHs256({ sub: '5', aud: undefined }))), AUTH_FAILURES.audience);
  });

  test('without AUTH_ISSUER, any iss (or none) is accepted', async () => {
    expect(await verifier.verify(bearer(await signHs256({ sub: '5', iss: 'https://anyone.example' })))).toMatchObject({ memberId: 5 });
  });

  test('with AUTH_ISSUER, iss must equal it', async () => {
    const strict = new TokenVerifier({ jwtSecret: SECRET, audience: AUDIENCE, issuer: 'https://id.example' });
    expect(await strict.verify(bearer(await signHs256({ sub: '5', iss: 'https://id.example' })))).toMatchObject({ memberId: 5 });
    expectFailure(await strict.verify(bearer(await signHs256({ sub: '5', iss: 'https://evil.example' }))), AUTH_FAILURES.issuer);
    expectFailure(await strict.verify(bearer(await signHs256({ sub: '5' }))), AUTH_FAILURES.issuer);
  });

  test('AUTH_AUDIENCE is configurable', async () => {
    const other = new TokenVerifier({ jwtSecret: SECRET, audience: 'box-office' });
    expect(await other.verify(bearer(await signHs256({ sub: '5', aud: 'box-office' })))).toMatchObject({ memberId: 5 });
    expectFailure(await other.verify(bearer(await signHs256({ sub: '5' }))), AUTH_FAILURES.audience);
  });

  test('alg none (an unsigned token) is refused', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${b64({ alg, typ: 'JWT' })}.${b64({ sub: '5', aud: AUDIENCE, exp: now() + 3600 })}.`;
      expectFailure(await verifier.verify(bearer(unsigned)), AUTH_FAILURES.algorithm);
    }
  });

  test('another HMAC algorithm with the right secret is refused: HS256 only', async () => {
    expectFailure(await verifier.verify(bearer(await signHs256({ sub: '5' }, { alg: 'HS512' }))), AUTH_FAILURES.algorithm);
  });

  test('a member token needs a sub that is a member id', async () => {
    for (const sub of ['0', '-1', '+1', '01', '1.5', '1e3', 'abc', ' 1', '1 ', '', '99999999999999999', '9007199254740992']) {
      expectFailure(await verifier.verify(bearer(await signHs256({ sub }))), AUTH_FAILURES.subject);
    }
    expectFailure(await verifier.verify(bearer(await signHs256({}))), AUTH_FAILURES.subject);
    expectFailure(await verifier.verify(bearer(await signHs256({ role: 'member' }))), AUTH_FAILURES.subject);
    expectFailure(await verifier.verify(bearer(await signHs256({ sub: 42 as unknown as string }))), AUTH_FAILURES.subject);
  });

  test('an unknown role is refused, not taken for a member', async () => {
    for (const role of ['root', 'ADMIN', '', 1, ['admin'], null]) {
      expectFailure(await verifier.verify(bearer(await signHs256({ sub: '5', role: role as string }))), AUTH_FAILURES.role);
    }
  });

  test('every challenge is a valid RFC 6750 header: no quote or backslash inside a description', () => {
    for (const failure of Object.values(AUTH_FAILURES)) {
      expect(failure.description).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]+$/);
      if (failure.status === 401)
        expect(failure.wwwAuthenticate).toMatch(
          /^Bearer realm="ticketing"(, error="invalid_(request|token)", error_description="[^"\\]+")?$/,
        );
      else expect(failure.wwwAuthenticate).toBeUndefined();
    }
  });
});

describe('TokenVerifier configuration', () => {
  test('neither a secret nor a JWKS URL: a clear error naming both variables', () => {
    expect(() => new TokenVerifier({ audience: AUDIENCE })).toThrow(TokenVerifierConfigError);
    expect(() => new TokenVerifier({ jwtSecret: '', jwksUrl: '', audience: AUDIENCE })).toThrow(/AUTH_JWT_SECRET or AUTH_JWKS_URL/);
  });

  test('a secret shorter than 32 characters is refused; 32 are enough', () => {
    expect(() => new TokenVerifier({ jwtSecret: 'x'.repeat(31), audience: AUDIENCE })).toThrow(
      /AUTH_JWT_SECRET must be at least 32 characters \(it has 31\)/,
    );
    expect(() => new TokenVerifier({ jwtSecret: 'x'.repeat(32), audience: AUDIENCE })).not.toThrow();
  });

  test('both a secret and a JWKS URL are refused as ambiguous', () => {
    expect(() => new TokenVerifier({ jwtSecret: SECRET, jwksUrl: 'https://id.example/jwks.json', audience: AUDIENCE })).toThrow(
      /only one of AUTH_JWT_SECRET and AUTH_JWKS_URL/,
    );
  });

  test('a JWKS URL must be an http(s) URL', () => {
    expect(() => new TokenVerifier({ jwksUrl: 'not a url', audience: AUDIENCE })).toThrow(/AUTH_JWKS_URL is not a URL/);
    expect(() => new TokenVerifier({ jwksUrl: 'file:///etc/jwks.json', audience: AUDIENCE })).toThrow(/AUTH_JWKS_URL must be an https/);
  });
});

/** An identity provider's key endpoint on 127.0.0.1 whose key set the test can change. */
class JwksServer {
  keys: JWK[] = [];
  fetches = 0;
  hang = false;
  readonly #server: Server;

  constructor() {
    this.#server = createServer((_req, res) => {
      this.fetches += 1;
      if (this.hang) return; // never answers
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: this.keys }));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: webcrypto.CryptoKey;
  publicJwk: JWK;
  spki: string;
}

async function signingKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, spki: await exportSPKI(publicKey) };
}

function signWith(key: SigningKey, claims: JWTPayload, header: { kid?: string } = { kid: key.kid }): Promise<string> {
  return new SignJWT({ aud: AUDIENCE, ...claims })
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', ...header })
    .setIssuedAt()
    .setExpirationTime(now() + 3600)
    .sign(key.privateKey);
}

describe('TokenVerifier with AUTH_JWKS_URL (RS256, ES256)', () => {
  const server = new JwksServer();
  let url: string;
  let rsa: SigningKey;
  let ec: SigningKey;
  let next: SigningKey;

  beforeAll(async () => {
    url = await server.start();
    [rsa, ec, next] = await Promise.all([signingKey('rsa-1', 'RS256'), signingKey('ec-1', 'ES256'), signingKey('rsa-2', 'RS256')]);
  });
  afterAll(async () => {
    await server.stop();
  });

  test('RS256 and ES256 tokens verify against the key set, fetched once and cached', async () => {
    server.keys = [rsa.publicJwk, ec.publicJwk];
    server.fetches = 0;
    const verifier = new TokenVerifier({ jwksUrl: url, audience: AUDIENCE });
    expect(await verifier.verify(bearer(await signWith(rsa, { sub: '11' })))).toEqual({ memberId: 11, role: 'member', subject: '11' });
    expect(await verifier.verify(bearer(await signWith(ec, { sub: '12', role: 'staff' })))).toEqual({
      memberId: null,
      role: 'staff',
      subject: '12',
    });
    for (let i = 0; i < 20; i += 1)
      expect(await verifier.verify(bearer(await signWith(ec, { role: 'admin' })))).toMatchObject({ role: 'admin' });
    expect(server.fetches).toBe(1);
  });

  test('the claims rules hold with a key set too: expired and wrong audience are refused', async () => {
    server.keys = [rsa.publicJwk];
    const verifier = new TokenVerifier({ jwksUrl: url, audience: AUDIENCE });
    const expired = await new SignJWT({ aud: AUDIENCE, sub: '1' })
      .setProtectedHeader({ alg: 'RS256', kid: rsa.kid })
      .setExpirationTime(now() - 60)
      .sign(rsa.privateKey);
    expectFailure(await verifier.verify(bearer(expired)), AUTH_FAILURES.expired);
    expectFailure(await verifier.verify(bearer(await signWith(rsa, { sub: '1', aud: 'other' }))), AUTH_FAILURES.audience);
  });

  test('alg confusion: an HS256 token keyed with the public key is refused by a JWKS verifier', async () => {
    server.keys = [rsa.publicJwk];
    const verifier = new TokenVerifier({ jwksUrl: url, audience: AUDIENCE });
    for (const secret of [rsa.spki, JSON.stringify(rsa.publicJwk), rsa.publicJwk.n!]) {
      const forged = await new SignJWT({ aud: AUDIENCE, sub: '1' })
        .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
        .setExpirationTime(now() + 3600)
        .sign(new TextEncoder().encode(secret));
      expectFailure(await verifier.verify(bearer(forged)), AUTH_FAILURES.algorithm);
    }
  });

  test('alg none is refused by a JWKS verifier too', async () => {
    server.keys = [rsa.publicJwk];
    const verifier = new TokenVerifier({ jwksUrl: url, audience: AUDIENCE });
    const unsigned = `${b64({ alg: 'none', kid: rsa.kid })}.${b64({ sub: '5', aud: AUDIENCE, exp: now() + 3600 })}.`;
    expectFailure(await verifier.verify(bearer(unsigned)), AUTH_FAILURES.algorithm);
  });

  test('a token signed by a key outside the set is refused', async () => {
    server.keys = [rsa.publicJwk];
    const verifier = new TokenVerifier({ jwksUrl: url, audience: AUDIENCE, jwks: { cooldownMs: 0 } });
    expectFailure(await verifier.verify(bearer(await signWith(next, { sub: '1' }))), AUTH_FAILURES.unknownKey);
    // A key with the same kid as a known one, but another key: the signature fails.
    expectFailure(await verifier.verify(bearer(await signWith(next, { sub: '1' }, { kid: rsa.kid }))), AUTH_FAILURES.signature);
  });

  test('key rotation: an unknown kid makes the verifier fetch the set again, then it verifies', async () => {
    server.keys = [rsa.publicJwk];
    server.fetches = 0;
    const verifier = new TokenVerifier({ jwksUrl: url, audience: AUDIENCE, jwks: { cooldownMs: 0 } });
    expect(await verifier.verify(bearer(await signWith(rsa, { sub: '1' })))).toMatchObject({ memberId: 1 });
    server.keys = [rsa.publicJwk, next.publicJwk];
    expect(await verifier.verify(bearer(await signWith(next, { sub: '2' })))).toMatchObject({ memberId: 2 });
    expect(server.fetches).toBe(2);
  });

  test('an unknown kid refetches at most once per cooldown: made-up kids cannot flood the identity provider', async () => {
    server.keys = [rsa.publicJwk];
    server.fetches = 0;
    const verifier = new TokenVerifier({ jwksUrl: url, audience: AUDIENCE });
    expect(await verifier.verify(bearer(await signWith(rsa, { sub: '1' })))).toMatchObject({ memberId: 1 });
    for (let i = 0; i < 10; i += 1) {
      expectFailure(await verifier.verify(bearer(await signWith(next, { sub: '1' }, { kid: `made-up-${i}` }))), AUTH_FAILURES.unknownKey);
    }
    expect(server.fetches).toBe(1);
  });

  test('a key withdrawn from the set stops verifying after the next background refresh (and the recheck of remembered tokens)', async () => {
    server.keys = [rsa.publicJwk, next.publicJwk];
    const verifier = new TokenVerifier({ jwksUrl: url, audience: AUDIENCE, jwks: { refreshMs: 50, cooldownMs: 60_000 }, cacheSize: 0 });
    const token = bearer(await signWith(rsa, { sub: '1' }));
    expect(await verifier.verify(token)).toMatchObject({ memberId: 1 });
    server.keys = [next.publicJwk];
    await new Promise((resolve) => setTimeout(resolve, 80));
    await verifier.verify(token); // starts the refresh, answered from the keys in hand
    await new Promise((resolve) => setTimeout(resolve, 100));
    expectFailure(await verifier.verify(token), AUTH_FAILURES.unknownKey);
    expect(await verifier.verify(bearer(await signWith(next, { sub: '2' })))).toMatchObject({ memberId: 2 });
  });

  test('the identity provider down after the keys are fetched: tokens still verify with the keys in hand', async () => {
    const idp = new JwksServer();
    idp.keys = [rsa.publicJwk];
    const verifier = new TokenVerifier({ jwksUrl: await idp.start(), audience: AUDIENCE, jwks: { refreshMs: 10, timeoutMs: 200 } });
    await verifier.warmUp();
    await idp.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (let i = 0; i < 3; i += 1) {
      expect(await verifier.verify(bearer(await signWith(rsa, { sub: '3' })))).toMatchObject({ memberId: 3 });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  test('the identity provider unreachable before any key is known: 503, not 401, within the fetch timeout', async () => {
    const closed = new TokenVerifier({ jwksUrl: 'http://127.0.0.1:1/jwks.json', audience: AUDIENCE });
    const token = bearer(await signWith(rsa, { sub: '1' }));
    const result = await closed.verify(token);
    expectFailure(result, AUTH_FAILURES.keysUnavailable);
    expect(result).toMatchObject({ status: 503, wwwAuthenticate: undefined });

    const hanging = new JwksServer();
    hanging.hang = true;
    const slow = new TokenVerifier({ jwksUrl: await hanging.start(), audience: AUDIENCE, jwks: { timeoutMs: 300 } });
    const startedAt = performance.now();
    expectFailure(await slow.verify(token), AUTH_FAILURES.keysUnavailable);
    expect(performance.now() - startedAt).toBeLessThan(1000);
    await hanging.stop();
  });

  test('an identity provider answering garbage: 503', async () => {
    const broken = createServer((_req, res) => res.end('<html>not json</html>'));
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const verifier = new TokenVerifier({ jwksUrl: `http://127.0.0.1:${(broken.address() as AddressInfo).port}/jwks`, audience: AUDIENCE });
    expectFailure(await verifier.verify(bearer(await signWith(rsa, { sub: '1' }))), AUTH_FAILURES.keysUnavailable);
    await new Promise<void>((resolve) => broken.close(() => resolve()));
  });
});
