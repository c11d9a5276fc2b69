import { register } from 'node:module';

/**
 * `node --import <this> apps/api/dist/main.js`: the real API, composed and configured as in
 * production, whose TokenVerifier trusts the member a token names without checking its
 * signature (unverifiedJose.ts). For the bench's "authentication off" figure only: the product
 * has no switch for it, on purpose (the API exits 1 without a key), and the bench's scripts start
 * the apps as processes rather than import them, so the substitution happens at module loading.
 */
register('./trustTokensHooks.js', import.meta.url);
