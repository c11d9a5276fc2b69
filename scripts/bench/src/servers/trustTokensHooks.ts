import type { ResolveHook } from 'node:module';

// Module hooks of trustTokens.ts, run in Node's loader thread: the API's own modules get
// unverifiedJose.js where they import 'jose'. Every other importer (the shim itself included)
// gets the real jose.
const API_BUILD = '/apps/api/dist/';
const SHIM = new URL('./unverifiedJose.js', import.meta.url).href;

export const resolve: ResolveHook = (specifier, context, nextResolve) => {
  if (specifier === 'jose' && context.parentURL?.includes(API_BUILD)) return { url: SHIM, shortCircuit: true };
  return nextResolve(specifier, context);
};
