// Tokens for local use: the development secret `npm start` keeps under .local/, and HS256 tokens
// signed the way the API verifies them (apps/api/src/adapter/in/web/auth/tokenVerifier.ts).
// Plain JS, as scripts/start.mjs is: it runs before anything is built. Import it only once
// dependencies are installed (jose).
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEV_SECRET_FILE = join(ROOT, '.local', 'auth-secret');
export const MIN_SECRET_LENGTH = 32;
export const DEFAULT_AUDIENCE = 'ticketing';
export const DEFAULT_TTL = '12h';
export const ROLES = ['member', 'staff', 'admin'];

/** A refusal of what the user typed: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {}

/**
 * The development secret: 48 random bytes, base64url (64 characters), in a file only its owner
 * may read, made on first use and the same ever after, so tokens survive restarts.
 */
export function devSecret(file = DEV_SECRET_FILE) {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': of two processes making it at once, one writes and the other reads what it wrote.
    writeFileSync(file, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`${file} holds no usable secret (fewer than ${MIN_SECRET_LENGTH} characters): delete it and a new one is made`);
  }
  return secret;
}

/** The key tokens are signed with: AUTH_JWT_SECRET when set, else the development secret. */
export function signingSecret(env = process.env, file = DEV_SECRET_FILE) {
  if (env.AUTH_JWT_SECRET && env.AUTH_JWKS_URL)
    throw new Error('set only one of AUTH_JWT_SECRET and AUTH_JWKS_URL, not both (the API refuses both)');
  if (env.AUTH_JWT_SECRET) {
    if ([...env.AUTH_JWT_SECRET].length < MIN_SECRET_LENGTH) {
      throw new Error(`AUTH_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    return { secret: env.AUTH_JWT_SECRET, source: 'AUTH_JWT_SECRET' };
  }
  if (env.AUTH_JWKS_URL) {
    throw new Error(
      'AUTH_JWKS_URL is set: tokens come from that identity provider; this command signs only with AUTH_JWT_SECRET or the development secret',
    );
  }
  return { secret: devSecret(file), source: file };
}

/** `30s`, `30m`, `2h`, `7d` → seconds; at most a year. */
export function parseTtl(text) {
  const match = /^([1-9][0-9]{0,5})([smhd])$/.exec(String(text));
  if (!match) throw new UsageError(`--ttl must be a positive whole number with s, m, h or d (like 30m, 2h, 7d), not '${text}'`);
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[match[2]];
  if (seconds > 366 * 86_400) throw new UsageError(`--ttl must be at most a year, not '${text}'`);
  return seconds;
}

/** A member id as the API reads `sub`: a positive whole number, no sign, no leading zero. */
export function parseMemberId(text) {
  if (!/^[1-9][0-9]{0,15}$/.test(String(text)) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--member must be a member id (a positive whole number), not '${text}'`);
  }
  return Number(text);
}

/** Refuses a request that cannot make a usable token; gives the lifetime in seconds. */
export function checkTokenRequest({ memberId = null, role = 'member', ttl = DEFAULT_TTL }) {
  if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, not '${role}'`);
  if (role === 'member' && memberId === null) throw new UsageError('a member token needs --member <id>');
  return parseTtl(ttl);
}

/**
 * An HS256 token: `sub` the member id (or, for staff and admin without one, the role's name,
 * which the API keeps for logs only), `role`, `aud` = AUTH_AUDIENCE, `iss` = AUTH_ISSUER when set.
 */
export async function mintToken({ secret, memberId = null, role = 'member', ttl = DEFAULT_TTL, env = process.env }) {
  const seconds = checkTokenRequest({ memberId, role, ttl });
  const jwt = new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(memberId === null ? role : String(memberId))
    .setAudience(env.AUTH_AUDIENCE || DEFAULT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + seconds);
  if (env.AUTH_ISSUER) jwt.setIssuer(env.AUTH_ISSUER);
  return jwt.sign(new TextEncoder().encode(secret));
}

/**
 * For `npm start`: with neither AUTH_JWT_SECRET nor AUTH_JWKS_URL, the development secret goes
 * into `env` (for the API and worker alike) and an admin token is minted for the banner.
 */
export async function developmentAuth(env, file = DEV_SECRET_FILE) {
  if (env.AUTH_JWT_SECRET || env.AUTH_JWKS_URL)
    return { source: env.AUTH_JWT_SECRET ? 'AUTH_JWT_SECRET' : 'AUTH_JWKS_URL', adminToken: null };
  env.AUTH_JWT_SECRET = devSecret(file);
  return { source: file, adminToken: await mintToken({ secret: env.AUTH_JWT_SECRET, role: 'admin', env }) };
}
