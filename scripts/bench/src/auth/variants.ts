import { REPO_ROOT } from '@ticketing/testkit';
import type { ProcessOptions } from '../system.js';

/**
 * The accept scenario's three APIs. `on` is the product as deployed: every token verified, the
 * limits at their defaults. `limitsOff` still verifies every token but counts nothing
 * (RATE_SUBMIT_PER_MEMBER=0, RATE_PER_IP=0). `off` is limitsOff whose token verifier trusts the
 * member a token names without verifying it (servers/trustTokens.ts): a bench-only build of the
 * same process, the product has no such switch.
 */
export const AUTH_VARIANTS = ['on', 'limitsOff', 'off'] as const;
export type AuthVariant = (typeof AUTH_VARIANTS)[number];

export interface VariantSetup {
  /** Whether the API checks the tokens' signatures and claims. */
  verifiesTokens: boolean;
  /** Whether the API counts submissions per member (and requests per IP when RATE_PER_IP is set). */
  limits: boolean;
  process: Pick<ProcessOptions, 'env' | 'nodeArgs'>;
}

// An empty value is an absent one to the API's configuration: the product's default applies.
const DEFAULT_LIMITS = { RATE_SUBMIT_PER_MEMBER: '', RATE_PER_IP: '' };
const NO_LIMITS = { RATE_SUBMIT_PER_MEMBER: '0', RATE_PER_IP: '0' };
const TRUST_TOKENS = ['--import', `${REPO_ROOT}scripts/bench/dist/servers/trustTokens.js`];

export function variantSetup(variant: AuthVariant): VariantSetup {
  switch (variant) {
    case 'on':
      return { verifiesTokens: true, limits: true, process: { env: DEFAULT_LIMITS, nodeArgs: [] } };
    case 'limitsOff':
      return { verifiesTokens: true, limits: false, process: { env: NO_LIMITS, nodeArgs: [] } };
    case 'off':
      return { verifiesTokens: false, limits: false, process: { env: NO_LIMITS, nodeArgs: TRUST_TOKENS } };
  }
}
