import { mintToken, testTokens } from '@ticketing/testkit';
import type { AcceptCheck } from '../accept.js';
import type { VariantSetup } from './variants.js';

export interface Probed {
  /** The API's RateLimit-Policy on a 202, e.g. `"member";q=10;w=60`; '' when no limit counted it. */
  policy: string;
}

/**
 * After a variant's measured submissions, two more prove it is the API it claims to be: a
 * member's own token must carry the limits' RateLimit-Policy exactly when limits are on, and a
 * token signed with another key must be refused (401) exactly when tokens are verified. A
 * variant that is not what it says would make its figures meaningless, so a mismatch throws.
 */
export function accessProbe(setup: VariantSetup, seen: Probed): AcceptCheck {
  return async (api, ticketId, spare) => {
    if (spare.length < 2) throw new Error('the access probe needs two members that did not submit');
    const submit = async (memberId: number, token: string) =>
      fetch(`${api.url}/api/v1/tickets/${ticketId}/issue-requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ memberId }),
      });
    const own = await submit(spare[0]!, await testTokens.member(spare[0]!));
    const policy = own.headers.get('ratelimit-policy') ?? '';
    if (own.status !== 202 || (policy !== '') !== setup.limits) {
      throw new Error(`access probe: own token gave ${own.status} with RateLimit-Policy '${policy}' (limits ${setup.limits})`);
    }
    const forgedToken = await mintToken({ memberId: spare[1]!, secret: 'not-the-key-of-this-api-0123456789abcdef' });
    const forged = await submit(spare[1]!, forgedToken);
    if (forged.status !== (setup.verifiesTokens ? 401 : 202)) {
      throw new Error(`access probe: a forged token gave ${forged.status} (tokens verified: ${setup.verifiesTokens})`);
    }
    seen.policy = policy;
  };
}
