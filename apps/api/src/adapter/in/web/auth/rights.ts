import type { Principal } from './tokenVerifier.js';

/**
 * The rights table of the contract (Identity and roles), as data: each operation names one rule
 * beside its schemas, and `authorize` is the only place that reads them.
 *
 *   public                anyone, no token read at all
 *   submit-own            a member for itself: `{}` or `{memberId}` equal to its `sub`; staff and admin do not submit
 *   own-request           a member's own issue request, or staff or admin; another member's reads as absent (404)
 *   member-self-or-admin  `GET /members/{own id}` for a member, any id for admin (staff: no)
 *   member-self-or-staff  `GET /members/{own id}/tickets` for a member, any id for staff and admin
 *   staff                 staff or admin
 *   admin                 admin only
 */
export type AccessRule = 'public' | 'submit-own' | 'own-request' | 'member-self-or-admin' | 'member-self-or-staff' | 'staff' | 'admin';

export type AccessDecision = 'allowed' | 'unauthenticated' | 'forbidden' | 'not-found';

export interface AccessRuleSpec {
  /** false: the operation is open to anyone and the Authorization header is not read. */
  token: boolean;
  /** A member token is allowed only for the member of the context, which must be its own. */
  member: boolean;
  staff: boolean;
  admin: boolean;
  /** What a member acting on another member's data gets: a refusal, or the same 404 as a made-up id. */
  otherMember: 'forbidden' | 'not-found';
  /** An absent context member means the caller itself (a submission's `{}`); otherwise it is refused. */
  selfWhenAbsent: boolean;
  /** For the OpenAPI document: who may call the operation. */
  summary: string;
}

export const ACCESS_RULES: Readonly<Record<AccessRule, Readonly<AccessRuleSpec>>> = Object.freeze({
  public: {
    token: false,
    member: true,
    staff: true,
    admin: true,
    otherMember: 'forbidden',
    selfWhenAbsent: false,
    summary: 'Anyone; no token needed.',
  },
  'submit-own': {
    token: true,
    member: true,
    staff: false,
    admin: false,
    otherMember: 'forbidden',
    selfWhenAbsent: true,
    summary: 'A member, for itself only: `memberId` absent or equal to the token `sub` (else 403). Staff and admin tokens get 403.',
  },
  'own-request': {
    token: true,
    member: true,
    staff: true,
    admin: true,
    otherMember: 'not-found',
    selfWhenAbsent: false,
    summary: "The member who made the request, staff or admin; another member's request answers 404 as if it did not exist.",
  },
  'member-self-or-admin': {
    token: true,
    member: true,
    staff: false,
    admin: true,
    otherMember: 'forbidden',
    selfWhenAbsent: false,
    summary: 'The member itself (`sub` equal to the path id) or admin; anyone else 403.',
  },
  'member-self-or-staff': {
    token: true,
    member: true,
    staff: true,
    admin: true,
    otherMember: 'forbidden',
    selfWhenAbsent: false,
    summary: 'The member itself (`sub` equal to the path id), staff or admin; another member 403.',
  },
  staff: {
    token: true,
    member: false,
    staff: true,
    admin: true,
    otherMember: 'forbidden',
    selfWhenAbsent: false,
    summary: 'Staff or admin.',
  },
  admin: { token: true, member: false, staff: false, admin: true, otherMember: 'forbidden', selfWhenAbsent: false, summary: 'Admin only.' },
});

export interface AccessContext {
  /**
   * The member whose data the operation touches: the submission body's `memberId` (absent for
   * `{}`), the path's `{memberId}`, or the owner of the loaded issue request. Leaving it out where
   * the rule needs it refuses a member (fails closed).
   */
  memberId?: number | undefined;
}

/**
 * Pure: may this principal (null: no valid token) do what `rule` guards, on `context`'s member?
 * Call it after the request's shape is checked (401, then 400/413/415, then 403, then 404); for
 * `own-request`, once the request is loaded, with its owner.
 */
export function authorize(principal: Principal | null, rule: AccessRule, context: AccessContext = {}): AccessDecision {
  const spec = ACCESS_RULES[rule];
  if (!spec.token) return 'allowed';
  if (principal === null) return 'unauthenticated';
  if (principal.role === 'admin') return spec.admin ? 'allowed' : 'forbidden';
  if (principal.role === 'staff') return spec.staff ? 'allowed' : 'forbidden';
  if (!spec.member || principal.memberId === null) return 'forbidden';
  const target = context.memberId ?? (spec.selfWhenAbsent ? principal.memberId : undefined);
  return target === principal.memberId ? 'allowed' : spec.otherMember;
}

export const BEARER_SCHEME_NAME = 'bearerAuth';

/** The components.securitySchemes entry the document registers once. */
export const BEARER_SECURITY_SCHEME = Object.freeze({
  type: 'http' as const,
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description:
    'A JWT signed with AUTH_JWT_SECRET (HS256) or by the identity provider of AUTH_JWKS_URL. Claims: `exp` (required), ' +
    '`aud` = AUTH_AUDIENCE, `iss` = AUTH_ISSUER when set, `sub` = the member id, `role` = member (default), staff or admin.',
});

/** What an operation guarded by `rule` adds to the OpenAPI document: its security requirement, who may call it, and the refusals. */
export function accessDocumentation(rule: AccessRule): {
  security: Array<Record<string, string[]>>;
  summary: string;
  problems: Array<'UNAUTHORIZED' | 'FORBIDDEN'>;
} {
  const spec = ACCESS_RULES[rule];
  if (!spec.token) return { security: [], summary: spec.summary, problems: [] };
  const forbids = !spec.member || !spec.staff || !spec.admin || spec.otherMember === 'forbidden';
  return {
    security: [{ [BEARER_SCHEME_NAME]: [] }],
    summary: spec.summary,
    problems: forbids ? ['UNAUTHORIZED', 'FORBIDDEN'] : ['UNAUTHORIZED'],
  };
}
