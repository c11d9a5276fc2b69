import { SignJWT } from 'jose';

/** The key the test APIs verify with (startApi and the API test helper set it as AUTH_JWT_SECRET). */
export const TEST_AUTH_JWT_SECRET = 'test-secret-for-the-ticketing-api-0123456789';
export const DEFAULT_AUDIENCE = 'ticketing';

export type TokenRole = 'member' | 'staff' | 'admin';

export interface MintOptions {
  secret?: string;
  /** `sub` of a member token (required for role member). */
  memberId?: number | null;
  role?: TokenRole;
  /** Lifetime in seconds from now; negative gives an expired token. */
  ttlSeconds?: number;
  audience?: string;
  issuer?: string;
}

/**
 * An HS256 token with the claims scripts/devAuth.mjs signs: `sub` the member id (or the role's
 * name for staff and admin), `role`, `aud`, `iss` when given, `iat`, `exp`.
 */
export async function mintToken(options: MintOptions = {}): Promise<string> {
  const { secret = TEST_AUTH_JWT_SECRET, memberId = null, role = 'member', ttlSeconds = 3600, audience = DEFAULT_AUDIENCE } = options;
  if (role === 'member' && memberId === null) throw new Error('a member token needs a memberId');
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(memberId === null ? role : String(memberId))
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds);
  if (options.issuer) jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(secret));
}

/**
 * The tokens of the people a test, a fault scenario or the load script plays: an admin, staff, and
 * members, each minted once (for two hours) and kept.
 */
export class Tokens {
  readonly #tokens = new Map<string, Promise<string>>();

  constructor(
    readonly secret: string = TEST_AUTH_JWT_SECRET,
    readonly claims: { audience?: string; issuer?: string | undefined } = {},
  ) {}

  admin(): Promise<string> {
    return this.#token('admin', { role: 'admin' });
  }

  staff(): Promise<string> {
    return this.#token('staff', { role: 'staff' });
  }

  member(memberId: number): Promise<string> {
    return this.#token(`member:${memberId}`, { memberId });
  }

  /**
   * The `Authorization` header of the caller a client plays for `method url body`: the member of a
   * submission (`{memberId}`), the admin for anything else (admins read every request and member).
   */
  async authorizationFor(method: string, url: string, body: unknown): Promise<string> {
    const memberId = (body as { memberId?: unknown } | null | undefined)?.memberId;
    const submission =
      method === 'POST' && /\/issue-requests(\?|$)/.test(url) && Number.isSafeInteger(memberId) && (memberId as number) > 0;
    return `Bearer ${submission ? await this.member(memberId as number) : await this.admin()}`;
  }

  #token(key: string, options: MintOptions): Promise<string> {
    let token = this.#tokens.get(key);
    if (!token) {
      const { audience = DEFAULT_AUDIENCE, issuer } = this.claims;
      token = mintToken({ ...options, secret: this.secret, ttlSeconds: 2 * 3600, audience, ...(issuer ? { issuer } : {}) });
      this.#tokens.set(key, token);
    }
    return token;
  }
}

/** The tokens the test APIs accept. */
export const testTokens = new Tokens();
