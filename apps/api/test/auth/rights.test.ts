import { describe, expect, test } from '@jest/globals';
import {
  ACCESS_RULES,
  accessDocumentation,
  authorize,
  type AccessDecision,
  type AccessRule,
} from '../../src/adapter/in/web/auth/rights.js';
import type { Principal } from '../../src/adapter/in/web/auth/tokenVerifier.js';
import { SPEC_OPERATION_RULES } from './specRights.js';

const SELF = 7;
const OTHER = 8;
const member: Principal = { memberId: SELF, role: 'member', subject: String(SELF) };
const staff: Principal = { memberId: null, role: 'staff', subject: 'desk-1' };
const admin: Principal = { memberId: null, role: 'admin', subject: null };

/**
 * What the contract says each caller gets, read straight from its table: `self` and `other` are
 * the member of the operation (path id, body memberId, or the request's owner) being the
 * caller's own or another's; `absent` is a submission's `{}`.
 */
interface Expected {
  anonymous: AccessDecision;
  self: AccessDecision;
  other: AccessDecision;
  absent?: AccessDecision;
  staff: AccessDecision;
  admin: AccessDecision;
}
const ANYONE: Expected = { anonymous: 'allowed', self: 'allowed', other: 'allowed', staff: 'allowed', admin: 'allowed' };
const ADMIN_ONLY: Expected = { anonymous: 'unauthenticated', self: 'forbidden', other: 'forbidden', staff: 'forbidden', admin: 'allowed' };
const STAFF_OR_ADMIN: Expected = {
  anonymous: 'unauthenticated',
  self: 'forbidden',
  other: 'forbidden',
  staff: 'allowed',
  admin: 'allowed',
};

const CONTRACT: Record<string, Expected> = {
  'GET /healthz': ANYONE,
  'GET /readyz': ANYONE,
  'GET /openapi.json': ANYONE,
  'GET /docs': ANYONE,
  'GET /api/v1/tickets': ANYONE,
  'GET /api/v1/tickets/{ticketId}': ANYONE,
  'GET /metrics': ADMIN_ONLY,
  'POST /api/v1/tickets': ADMIN_ONLY,
  'DELETE /api/v1/tickets/{ticketId}': ADMIN_ONLY,
  'POST /api/v1/members': ADMIN_ONLY,
  'GET /api/v1/members': ADMIN_ONLY,
  'GET /api/v1/tickets/{ticketId}/issues': STAFF_OR_ADMIN,
  'GET /api/v1/tickets/{ticketId}/events': STAFF_OR_ADMIN,
  'POST /api/v1/members/{memberId}/tickets/{ticketId}/use': STAFF_OR_ADMIN,
  // "submit for itself ({} or {memberId} equal to sub; another id is 403)"; "admins and staff do not submit (403)"
  'POST /api/v1/tickets/{ticketId}/issue-requests': {
    anonymous: 'unauthenticated',
    self: 'allowed',
    other: 'forbidden',
    absent: 'allowed',
    staff: 'forbidden',
    admin: 'forbidden',
  },
  // "read its own requests (another member's: 404)"; "staff: read any request"
  'GET /api/v1/issue-requests/{requestId}': {
    anonymous: 'unauthenticated',
    self: 'allowed',
    other: 'not-found',
    staff: 'allowed',
    admin: 'allowed',
  },
  'GET /api/v1/issue-requests/{requestId}/events': {
    anonymous: 'unauthenticated',
    self: 'allowed',
    other: 'not-found',
    staff: 'allowed',
    admin: 'allowed',
  },
  // "GET /members/{own id}" for a member; admin reads members; staff is not granted it
  'GET /api/v1/members/{memberId}': {
    anonymous: 'unauthenticated',
    self: 'allowed',
    other: 'forbidden',
    staff: 'forbidden',
    admin: 'allowed',
  },
  // "GET /members/{own id}/tickets (another id: 403)"; "staff: GET /members/{id}/tickets"
  'GET /api/v1/members/{memberId}/tickets': {
    anonymous: 'unauthenticated',
    self: 'allowed',
    other: 'forbidden',
    staff: 'allowed',
    admin: 'allowed',
  },
};

describe('the rights table', () => {
  test('every operation of the contract has a rule, and every rule is used', () => {
    expect(Object.keys(SPEC_OPERATION_RULES).sort()).toEqual(Object.keys(CONTRACT).sort());
    expect([...new Set(Object.values(SPEC_OPERATION_RULES))].sort()).toEqual(Object.keys(ACCESS_RULES).sort());
  });

  for (const [operation, expected] of Object.entries(CONTRACT)) {
    test(operation, () => {
      const rule = SPEC_OPERATION_RULES[operation]!;
      const actual: Expected = {
        anonymous: authorize(null, rule, { memberId: SELF }),
        self: authorize(member, rule, { memberId: SELF }),
        other: authorize(member, rule, { memberId: OTHER }),
        staff: authorize(staff, rule, { memberId: SELF }),
        admin: authorize(admin, rule, { memberId: SELF }),
      };
      if (expected.absent) actual.absent = authorize(member, rule, {});
      expect(actual).toEqual(expected);
      // Staff and admin act on any member: the context never changes their answer.
      expect(authorize(staff, rule, { memberId: OTHER })).toBe(expected.staff);
      expect(authorize(admin, rule, {})).toBe(expected.admin);
    });
  }
});

describe('authorize fails closed', () => {
  test("a member-scoped rule without the context's member refuses a member", () => {
    expect(authorize(member, 'member-self-or-admin')).toBe('forbidden');
    expect(authorize(member, 'member-self-or-staff', { memberId: undefined })).toBe('forbidden');
    expect(authorize(member, 'own-request')).toBe('not-found');
  });

  test('a member principal without a member id is refused everything but public operations', () => {
    const broken: Principal = { memberId: null, role: 'member', subject: null };
    for (const rule of Object.keys(ACCESS_RULES) as AccessRule[]) {
      expect(authorize(broken, rule, {})).toBe(rule === 'public' ? 'allowed' : 'forbidden');
    }
  });

  test('public operations do not need a principal; every other one does', () => {
    for (const rule of Object.keys(ACCESS_RULES) as AccessRule[]) {
      expect(authorize(null, rule)).toBe(rule === 'public' ? 'allowed' : 'unauthenticated');
    }
  });
});

describe('accessDocumentation', () => {
  test('public operations carry no security requirement and no refusal', () => {
    expect(accessDocumentation('public')).toMatchObject({ security: [], problems: [] });
  });

  test('guarded operations carry the bearer requirement, 401, and 403 where the rule can refuse', () => {
    for (const rule of Object.keys(ACCESS_RULES) as AccessRule[]) {
      if (rule === 'public') continue;
      const doc = accessDocumentation(rule);
      expect(doc.security).toEqual([{ bearerAuth: [] }]);
      expect(doc.summary.length).toBeGreaterThan(0);
      // own-request never answers 403: another member's request is a 404, like a made-up id.
      expect(doc.problems).toEqual(rule === 'own-request' ? ['UNAUTHORIZED'] : ['UNAUTHORIZED', 'FORBIDDEN']);
    }
  });
});
