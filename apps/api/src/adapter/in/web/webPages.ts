import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { labelRoute } from './mountEndpoints.js';

/** apps/web/dist, from src/ and dist/ alike (both sit at the same depth under apps/api). */
export const WEB_DIST = fileURLToPath(new URL('../../../../../web/dist/', import.meta.url));

const PAGES: ReadonlyArray<readonly [path: string, file: string]> = [
  ['/', 'index.html'],
  ['/console', 'console.html'],
];

/**
 * What the pages need and nothing more: their own scripts, styles and API calls (the event streams
 * are fetch, so connect-src), the empty data: favicon. No inline code, no other origin, no framing.
 * No upgrade-insecure-requests: the pages are opened over plain HTTP in development.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The member page (`/`) and the live console (`/console`) built by apps/web. Vite names each asset
 * after its content hash, so /assets is cached for a year as immutable; the HTML is revalidated on
 * every load (no-cache), so a new build reaches browsers at once. Without a build (API-only work and
 * tests) the API still runs: a warning, and the pages answer 404 through the fallback.
 */
export function webPages(logger: Logger, dist: string = WEB_DIST): Router {
  const router = express.Router();
  if (!existsSync(join(dist, 'index.html'))) {
    logger.warn({ dist }, 'web pages are not built (npm run build): / and /console answer 404');
    return router;
  }
  router.use(
    '/assets',
    labelRoute('/assets/*'),
    express.static(join(dist, 'assets'), { immutable: true, maxAge: '365d', index: false, redirect: false }),
  );
  for (const [path, file] of PAGES) {
    router.get(path, labelRoute(path), (_req, res, next) => {
      res.setHeader('Content-Security-Policy', PAGE_CSP);
      res.sendFile(file, { root: dist, headers: { 'Cache-Control': 'no-cache' } }, (error) => {
        if (error) next(error);
      });
    });
  }
  return router;
}
