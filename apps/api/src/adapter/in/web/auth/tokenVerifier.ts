import { webcrypto } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWSAlgorithm, type JWTPayload, type JWTVerifyOptions, type RemoteJWKSet } from 'jose';

export type Role = 'member' | 'staff' | 'admin';

/**
 * Who a valid token speaks for. `memberId` is set for a member token only: staff and admin tokens
 * act on any member, never as one (they do not submit), so their `sub`, whatever it is or when
 * absent, is kept as `subject` for logs and never read as a member id.
 */
export interface Principal {
  memberId: number | null;
  role: Role;
  subject: string | null;
}

export interface TokenVerifierOptions {
  /** AUTH_JWT_SECRET: HS256, at least 32 characters, used as its UTF-8 bytes. */
  jwtSecret?: string | undefined;
  /** AUTH_JWKS_URL: the identity provider's public keys (RSA or EC), fetched and cached. */
  jwksUrl?: string | undefined;
  /** AUTH_AUDIENCE: the required `aud`. */
  audience: string;
  /** AUTH_ISSUER: when set, the required `iss`; when not, any `iss` (or none) is accepted. */
  issuer?: string | undefined;
  /** JWKS tuning, for tests mostly; see the defaults below. */
  jwks?: { timeoutMs?: number; cooldownMs?: number; refreshMs?: number };
  /** Verified tokens remembered (0: none); see VerifiedTokens. */
  cacheSize?: number;
}

export const AUTH_REALM = 'ticketing';
export const MIN_SECRET_LENGTH = 32;
export const CLOCK_TOLERANCE_S = 30;

/** HS256 only with a shared secret; with a JWKS, the RSA and EC signatures an IdP uses. Never `none`. */
export const SECRET_ALGORITHMS: readonly JWSAlgorithm[] = ['HS256'];
export const JWKS_ALGORITHMS: readonly JWSAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/**
 * A fetch of the key set holds up the requests waiting for it, so it is short. Keys are kept
 * until a refresh succeeds (jose's cache never goes stale here): an identity provider that is
 * down does not take the API down with it while the keys it signed with stay the same. A refresh
 * runs in the background every `refreshMs`, so a withdrawn key stops working within that time,
 * and a token with an unknown `kid` makes jose fetch again at most once per `cooldownMs`.
 */
const JWKS_DEFAULTS = { timeoutMs: 1000, cooldownMs: 30_000, refreshMs: 600_000 };

/**
 * jose verifies with WebCrypto, whose every call is a hop to the thread pool: 50 to 90 µs of CPU
 * per HS256 token measured here (100,000 in a loop, key imported once), against under 1 µs to
 * find a token already verified. A member polling its request sends the same token again and
 * again, so the last verified tokens are kept, each until its `exp` (plus the skew) or for
 * RECHECK_MS at most, after which it is verified again: a key withdrawn from the key set stops
 * working within that time at the latest.
 */
const DEFAULT_CACHE_SIZE = 10_000;
const RECHECK_MS = 60_000;

/** The configuration cannot verify anything: the caller exits 1 with this message. */
export class TokenVerifierConfigError extends Error {
  override name = 'TokenVerifierConfigError';
}

type FailureId =
  | 'missing'
  | 'malformed'
  | 'notJwt'
  | 'algorithm'
  | 'signature'
  | 'expired'
  | 'notYetValid'
  | 'noExpiry'
  | 'audience'
  | 'issuer'
  | 'claim'
  | 'subject'
  | 'role'
  | 'unknownKey'
  | 'keysUnavailable';

/**
 * Why a request is not authenticated, with the answer ready to send: 401 and its
 * `WWW-Authenticate` (RFC 6750 §3), or 503 when the identity provider's keys cannot be fetched
 * (the token may be fine; nobody can tell). The descriptions are ours, never jose's messages:
 * they go into a quoted header parameter, which allows neither `"` nor `\`.
 */
export class AuthFailure {
  readonly wwwAuthenticate: string | undefined;

  constructor(
    readonly id: FailureId,
    readonly status: 401 | 503,
    readonly error: 'invalid_request' | 'invalid_token' | undefined,
    readonly description: string,
  ) {
    if (status === 503) this.wwwAuthenticate = undefined;
    else if (!error) this.wwwAuthenticate = `Bearer realm="${AUTH_REALM}"`;
    else this.wwwAuthenticate = `Bearer realm="${AUTH_REALM}", error="${error}", error_description="${description}"`;
  }
}

const invalidToken = (id: FailureId, description: string) => new AuthFailure(id, 401, 'invalid_token', description);

/** Built once: a refusal allocates nothing. */
export const AUTH_FAILURES: Readonly<Record<FailureId, AuthFailure>> = Object.freeze({
  // RFC 6750 §3.1: a request without credentials gets no error code.
  missing: new AuthFailure('missing', 401, undefined, 'no bearer token'),
  malformed: new AuthFailure('malformed', 401, 'invalid_request', 'Authorization must be: Bearer <token>'),
  notJwt: invalidToken('notJwt', 'token is not a well-formed JWT'),
  algorithm: invalidToken('algorithm', 'token algorithm is not accepted'),
  signature: invalidToken('signature', 'token signature is invalid'),
  expired: invalidToken('expired', 'token has expired'),
  notYetValid: invalidToken('notYetValid', 'token is not valid yet'),
  noExpiry: invalidToken('noExpiry', 'token has no exp claim'),
  audience: invalidToken('audience', 'token audience is not accepted'),
  issuer: invalidToken('issuer', 'token issuer is not accepted'),
  claim: invalidToken('claim', 'token has an invalid claim'),
  subject: invalidToken('subject', 'token sub is not a member id'),
  role: invalidToken('role', 'token role is not member, staff or admin'),
  unknownKey: invalidToken('unknownKey', 'token key is not known'),
  keysUnavailable: new AuthFailure('keysUnavailable', 503, undefined, 'token keys are unavailable'),
});

/** RFC 6750 b64token: what may follow `Bearer `. Anything else is a malformed header. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** A member id in `sub`: a positive decimal integer, no sign, no leading zero, no fraction. */
const MEMBER_ID = /^[1-9][0-9]{0,15}$/;

/**
 * Verifies `Authorization: Bearer <JWT>` with jose against AUTH_JWT_SECRET or AUTH_JWKS_URL.
 * Construction throws TokenVerifierConfigError for a configuration that cannot work.
 */
export class TokenVerifier {
  readonly #key: Promise<webcrypto.CryptoKey> | RemoteJWKSet;
  readonly #options: JWTVerifyOptions;
  readonly #refresh: (() => void) | undefined;
  readonly #verified: VerifiedTokens;

  constructor(options: TokenVerifierOptions) {
    this.#verified = new VerifiedTokens(options.cacheSize ?? DEFAULT_CACHE_SIZE);
    const { jwtSecret, jwksUrl } = options;
    if (!jwtSecret && !jwksUrl) {
      throw new TokenVerifierConfigError('AUTH_JWT_SECRET or AUTH_JWKS_URL must be set to verify tokens');
    }
    if (jwtSecret && jwksUrl) {
      throw new TokenVerifierConfigError('set only one of AUTH_JWT_SECRET and AUTH_JWKS_URL, not both');
    }
    if (!options.audience) throw new TokenVerifierConfigError('AUTH_AUDIENCE must not be empty');
    const claims = {
      audience: options.audience,
      ...(options.issuer ? { issuer: options.issuer } : {}),
      requiredClaims: ['exp'],
      clockTolerance: CLOCK_TOLERANCE_S,
    };

    if (jwtSecret) {
      if ([...jwtSecret].length < MIN_SECRET_LENGTH) {
        throw new TokenVerifierConfigError(
          `AUTH_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters (it has ${[...jwtSecret].length})`,
        );
      }
      // Imported once: given raw bytes, jose would import them again on every verification.
      this.#key = webcrypto.subtle.importKey('raw', new TextEncoder().encode(jwtSecret), { name: 'HMAC', hash: 'SHA-256' }, false, [
        'verify',
      ]);
      this.#key.catch(() => undefined);
      this.#options = { ...claims, algorithms: [...SECRET_ALGORITHMS] };
      this.#refresh = undefined;
      return;
    }

    const url = parseJwksUrl(jwksUrl!);
    const tuning = { ...JWKS_DEFAULTS, ...options.jwks };
    const jwks = createRemoteJWKSet(url, { timeoutDuration: tuning.timeoutMs, cooldownDuration: tuning.cooldownMs, cacheMaxAge: Infinity });
    this.#key = jwks;
    this.#options = { ...claims, algorithms: [...JWKS_ALGORITHMS] };
    let refreshedAt = 0;
    this.#refresh = () => {
      const now = Date.now();
      if (refreshedAt === 0)
        refreshedAt = now; // this very call makes jose fetch the keys
      else if (now - refreshedAt >= tuning.refreshMs && !jwks.reloading) {
        refreshedAt = now;
        jwks.reload().catch(() => undefined); // the keys in hand stay until a fetch succeeds
      }
    };
  }

  /** Resolves once tokens can be verified without waiting: the secret imported, or the key set fetched. */
  async warmUp(): Promise<void> {
    if (typeof this.#key === 'function') await this.#key.reload();
    else await this.#key;
  }

  async verify(authorization: string | undefined): Promise<Principal | AuthFailure> {
    if (authorization === undefined || authorization === '') return AUTH_FAILURES.missing;
    const token = bearerToken(authorization);
    if (token === undefined) return AUTH_FAILURES.malformed;
    const known = this.#verified.get(token);
    if (known) return known;

    let payload: JWTPayload;
    try {
      if (typeof this.#key === 'function') {
        this.#refresh!();
        payload = (await jwtVerify(token, this.#key, this.#options)).payload;
      } else {
        payload = (await jwtVerify(token, await this.#key, this.#options)).payload;
      }
    } catch (error) {
      return failureFor(error, typeof this.#key === 'function');
    }
    const principal = principalOf(payload);
    if (!(principal instanceof AuthFailure)) this.#verified.add(token, principal, payload.exp!);
    return principal;
  }
}

/** The most recently verified tokens and their principals, oldest dropped first; bounded in count and age. */
class VerifiedTokens {
  readonly #entries = new Map<string, { principal: Principal; validUntil: number }>();

  constructor(readonly size: number) {}

  get(token: string): Principal | undefined {
    if (this.size === 0) return undefined;
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (Date.now() < entry.validUntil) return entry.principal;
    this.#entries.delete(token);
    return undefined;
  }

  add(token: string, principal: Principal, exp: number): void {
    if (this.size === 0) return;
    if (this.#entries.size >= this.size) this.#entries.delete(this.#entries.keys().next().value!);
    const validUntil = Math.min((exp + CLOCK_TOLERANCE_S) * 1000, Date.now() + RECHECK_MS);
    this.#entries.set(token, { principal: Object.freeze(principal), validUntil });
  }
}

function parseJwksUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TokenVerifierConfigError(`AUTH_JWKS_URL is not a URL: ${text}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TokenVerifierConfigError(`AUTH_JWKS_URL must be an https (or http) URL, not ${url.protocol}`);
  }
  return url;
}

/** The token of `Bearer <token>` (scheme case-insensitive, RFC 9110 §11.1), or undefined when malformed. */
function bearerToken(header: string): string | undefined {
  if (header.length < 8 || header.charCodeAt(6) !== 32) return undefined;
  const scheme = header.slice(0, 6);
  if (scheme !== 'Bearer' && scheme.toLowerCase() !== 'bearer') return undefined;
  let start = 7;
  while (header.charCodeAt(start) === 32) start += 1;
  const token = start === 7 ? header.slice(7) : header.slice(start);
  return B64TOKEN.test(token) ? token : undefined;
}

function principalOf(payload: JWTPayload): Principal | AuthFailure {
  const { role = 'member', sub } = payload;
  if (sub !== undefined && typeof sub !== 'string') return AUTH_FAILURES.subject;
  if (role === 'member') {
    if (sub === undefined || !MEMBER_ID.test(sub)) return AUTH_FAILURES.subject;
    const memberId = Number(sub);
    if (!Number.isSafeInteger(memberId)) return AUTH_FAILURES.subject;
    return { memberId, role, subject: sub };
  }
  if (role === 'staff' || role === 'admin') return { memberId: null, role, subject: sub ?? null };
  return AUTH_FAILURES.role;
}

/** jose's error codes, mapped to our answers; anything else from a key-set fetch means the keys are unavailable. */
function failureFor(error: unknown, fromJwks: boolean): AuthFailure {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return AUTH_FAILURES.notJwt;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return AUTH_FAILURES.algorithm;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return AUTH_FAILURES.signature;
    case 'ERR_JWT_EXPIRED':
      return AUTH_FAILURES.expired;
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return AUTH_FAILURES.unknownKey;
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const { claim, reason } = error as { claim?: string; reason?: string };
      if (claim === 'exp') return reason === 'missing' ? AUTH_FAILURES.noExpiry : AUTH_FAILURES.claim;
      if (claim === 'aud') return AUTH_FAILURES.audience;
      if (claim === 'iss') return AUTH_FAILURES.issuer;
      if (claim === 'nbf' && reason === 'check_failed') return AUTH_FAILURES.notYetValid;
      return AUTH_FAILURES.claim;
    }
  }
  // ERR_JWKS_TIMEOUT, ERR_JWKS_INVALID, ERR_JWK_INVALID, a non-200 answer (ERR_JOSE_GENERIC), or fetch's own TypeError.
  if (fromJwks) return AUTH_FAILURES.keysUnavailable;
  throw error;
}
