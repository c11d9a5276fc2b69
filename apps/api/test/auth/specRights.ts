import type { AccessRule } from '../../src/adapter/in/web/auth/rights.js';

/**
 * The rights table of the contract (docs/CONTRACT.md, Identity and roles), transcribed by hand
 * for every operation, planned ones included: the oracle the endpoint declarations are checked
 * against once they name their rule. Kept apart from rights.ts on purpose, so that a wrong rule
 * there cannot make its own test pass.
 */
export const SPEC_OPERATION_RULES: Readonly<Record<string, AccessRule>> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /openapi.json': 'public',
  'GET /docs': 'public',
  'GET /metrics': 'admin',
  'GET /api/v1/tickets': 'public',
  'GET /api/v1/tickets/{ticketId}': 'public',
  'POST /api/v1/tickets': 'admin',
  'DELETE /api/v1/tickets/{ticketId}': 'admin',
  'GET /api/v1/tickets/{ticketId}/issues': 'staff',
  'GET /api/v1/tickets/{ticketId}/events': 'staff',
  'POST /api/v1/tickets/{ticketId}/issue-requests': 'submit-own',
  'GET /api/v1/issue-requests/{requestId}': 'own-request',
  'GET /api/v1/issue-requests/{requestId}/events': 'own-request',
  'POST /api/v1/members': 'admin',
  'GET /api/v1/members': 'admin',
  'GET /api/v1/members/{memberId}': 'member-self-or-admin',
  'GET /api/v1/members/{memberId}/tickets': 'member-self-or-staff',
  'POST /api/v1/members/{memberId}/tickets/{ticketId}/use': 'staff',
};
