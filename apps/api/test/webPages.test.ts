import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import express from 'express';
import { pino } from 'pino';
import { PAGE_CSP, webPages } from '../src/adapter/in/web/webPages.js';

/** The pages' static serving, on a build made here: the API must not need apps/web to be built. */
const servers: Server[] = [];
const folders: string[] = [];

async function serve(dist: string): Promise<{ url: string; warnings: string[] }> {
  const warnings: string[] = [];
  const app = express();
  app.use(webPages(pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line).msg) }), dist));
  app.use((_req, res) => {
    res.status(404).json({ code: 'NOT_FOUND' }); // the API's fallback
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, warnings };
}

function build(): string {
  const dist = mkdtempSync(join(tmpdir(), 'web-dist-'));
  folders.push(dist);
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>member</title>');
  writeFileSync(join(dist, 'console.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dist, 'assets', 'member-AbC123.js'), 'export {};');
  return dist;
}

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('the web pages', () => {
  test('/ and /console: the built HTML, revalidated on every load, under the pages CSP', async () => {
    const { url, warnings } = await serve(build());
    for (const [path, title] of [
      ['/', 'member'],
      ['/console', 'console'],
    ]) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
      expect(await res.text()).toContain(`<title>${title}</title>`);
    }
    expect(warnings).toEqual([]);
  });

  test('hashed assets are immutable for a year; a missing one falls through to the 404', async () => {
    const { url } = await serve(build());
    const asset = await fetch(`${url}/assets/member-AbC123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${url}/assets/other-XyZ.js`)).status).toBe(404);
  });

  test('without a build the API still serves, says so once, and the pages are 404', async () => {
    const { url, warnings } = await serve(join(tmpdir(), 'no-such-web-dist'));
    expect(warnings).toEqual(['web pages are not built (npm run build): / and /console answer 404']);
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/console`)).status).toBe(404);
  });
});
