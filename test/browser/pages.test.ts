import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  type ApiProcess,
  createTestDatabase,
  createTicket,
  HttpClient,
  type NodeProcess,
  REPO_ROOT,
  removeRedisPrefix,
  startApi,
  startWorker,
  submitAll,
  TEST_REDIS_URL,
  type TestDatabase,
  testTokens,
  uniqueRedisPrefix,
} from '@ticketing/testkit';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, pageProblems } from './chromium.js';

// Members who ask before the one at the page: the line it sees fall while a worker drains it.
const AHEAD = 3000;
// Written to a temporary folder, so a test run leaves the checkout as it was; the README's
// pictures are refreshed on purpose with SCREENSHOTS_DIR=docs/screenshots.
const SCREENSHOTS = process.env.SCREENSHOTS_DIR ? join(REPO_ROOT, process.env.SCREENSHOTS_DIR) : join(tmpdir(), 'ticketing-screenshots');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let database: TestDatabase;
let api: ApiProcess;
let worker: NodeProcess | null = null;
let browser: Browser;
const prefix = uniqueRedisPrefix('browser');
const client = new HttpClient(64);
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase({ tag: 'browser' });
  env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
  api = await startApi(env, { readyPath: '/readyz' });
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  client.close();
  await browser?.close();
  const exits = await Promise.all([api, worker].filter((p) => p !== null && p !== undefined).map((p) => p!.stop('SIGTERM')));
  await database?.drop();
  await removeRedisPrefix(prefix);
  expect(exits.map((exit) => exit.code)).toEqual(exits.map(() => 0));
}, 60_000);

describe('the pages the API serves', () => {
  test('HTML revalidated on every load under a self-only CSP; hashed assets immutable for a year', async () => {
    for (const path of ['/', '/console']) {
      const page = await fetch(`${api.url}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      const html = await page.text();
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThanOrEqual(2); // its script and its style sheet
      for (const asset of assets) {
        const response = await fetch(`${api.url}${asset}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      }
    }
    expect((await fetch(`${api.url}/assets/missing-0000.js`)).status).toBe(404);
  });
});

describe('a drop seen from the member page and the live console', () => {
  test('the member sees its place in line fall while a worker drains, then its issue number; the console moves with it', async () => {
    const ticketName = `browser-drop-${prefix}`;
    const ticketId = await createTicket(client, api.url, ticketName, AHEAD + 10);
    const memberIds = await database.insertMembers(`browser-${prefix}`, AHEAD + 2);
    const ahead = memberIds.slice(0, AHEAD);
    const [memberId, blockedMemberId] = memberIds.slice(AHEAD) as [number, number];
    // The load script's submissions: AHEAD members in line before the page's, no worker yet.
    const submitted = await submitAll(client, [api.url], ticketId, ahead, 1, 50);
    expect(submitted.filter((s) => s.httpStatus === 202).length).toBe(AHEAD);

    const consolePage = await browser.newPage({ viewport: DESKTOP });
    const consoleProblems = pageProblems(consolePage);
    await consolePage.goto(`${api.url}/console?ticket=${ticketId}#token=${await testTokens.staff()}`);
    await consolePage.locator('#connection[data-state="live"]').waitFor({ timeout: 10_000 });
    await recordChanges(consolePage, '[data-stat="decided"]');

    const member = await browser.newPage({ viewport: DESKTOP });
    const memberProblems = pageProblems(member);
    await member.goto(`${api.url}/#token=${await testTokens.member(memberId)}`);
    // The token was taken from the fragment and the fragment cleared from the address bar.
    await member.waitForFunction(() => location.hash === '');
    expect(await member.evaluate(() => sessionStorage.getItem('ticketing.memberToken'))).toBe(await testTokens.member(memberId));
    // By keyboard: focus the button, press Enter; the waiting panel takes the focus.
    await member.getByRole('button', { name: `${ticketName} 신청` }).focus();
    await member.keyboard.press('Enter');
    await member.waitForFunction(() => document.activeElement?.id === 'watch');
    const position = member.locator('#position');
    await member.locator('#position[data-position]').waitFor({ timeout: 10_000 });
    expect(Number(await position.getAttribute('data-position'))).toBe(AHEAD);
    await expect(position.textContent()).resolves.toBe(`앞에 ${AHEAD.toLocaleString('ko-KR')}명`);
    expect(await position.getAttribute('aria-live')).toBe('polite');
    await recordChanges(member, '#position', 'data-position');
    await shoot(member, 'member');

    // A member behind a proxy that blocks event streams: the page falls back to the long-poll.
    const blocked = await browser.newPage({ viewport: PHONE });
    await blocked.route('**/events', (route) => route.abort('blockedbyclient'));
    await blocked.goto(`${api.url}/#token=${await testTokens.member(blockedMemberId)}`);
    await blocked.getByRole('button', { name: `${ticketName} 신청` }).click();
    await blocked.locator('#via[data-via="poll"]').waitFor({ timeout: 15_000 });

    worker = await startWorker({ ...env, WORKER_BATCH_SIZE: '20' });

    const result = member.locator('#result[data-status="ISSUED"]');
    await result.waitFor({ timeout: 60_000 });
    const issueNumber = Number(await result.getAttribute('data-issue-number'));
    expect(issueNumber).toBe(AHEAD + 1);
    await expect(result.textContent()).resolves.toBe(`발급되었습니다. 발급 번호 ${issueNumber}번`);
    const rows = await database.issueRows(ticketId);
    expect(rows.find((row) => row.memberId === memberId)?.issueNumber).toBe(issueNumber);

    // G11 as the member saw it: from AHEAD down, never up, in several live steps.
    const positions = (await recorded(member)).map(Number);
    expect(positions[0]).toBe(AHEAD);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
    expect(new Set(positions).size).toBeGreaterThanOrEqual(3);
    expect(await member.locator('#via').getAttribute('data-via')).toBe('stream');

    await blocked.locator('#result[data-status="ISSUED"]').waitFor({ timeout: 60_000 });
    expect(await blocked.locator('#result').getAttribute('data-issue-number')).toBe(String(AHEAD + 2));

    // The console: the decided counter rose through the drain, and every chart gained points.
    await consolePage.waitForFunction(
      (total) => document.querySelector('[data-stat="decided"]')?.textContent === total,
      (AHEAD + 2).toLocaleString('ko-KR'),
      {
        timeout: 15_000,
      },
    );
    const decidedSeen = (await recorded(consolePage)).map((text) => Number(text.replace(/\D/g, '')));
    expect(decidedSeen).toEqual([...decidedSeen].sort((a, b) => a - b));
    expect(new Set(decidedSeen).size).toBeGreaterThanOrEqual(2);
    expect(await consolePage.locator('[data-stat="issued"]').textContent()).toBe((AHEAD + 2).toLocaleString('ko-KR'));
    expect(await consolePage.locator('[data-stat="remainingQuantity"]').textContent()).toBe('8');
    const points = await consolePage
      .locator('figure.chart')
      .evaluateAll((figures) => figures.map((f) => Number((f as HTMLElement).dataset.points)));
    expect(points).toHaveLength(4);
    for (const count of points) expect(count).toBeGreaterThanOrEqual(3);
    expect(await consolePage.locator('figure.chart canvas').count()).toBe(4);
    // Each chart's legend: the time and its series (rates 2, waiting 1, stock 1, outcomes 3).
    const legendRows = () =>
      consolePage.locator('figure.chart').evaluateAll((figures) => figures.map((f) => f.querySelectorAll('.u-legend .u-series').length));
    expect(await legendRows()).toEqual([3, 2, 2, 4]);
    const rateLegend = consolePage.locator('figure.chart').first().locator('.u-legend .u-series .u-label');
    expect(await rateLegend.allTextContents()).toEqual(['시각', '초당 접수', '초당 처리']);
    await shoot(consolePage, 'console');
    await shoot(member, 'member-result');
    // The English switch redraws what is on the page, and says so to assistive technology (lang).
    await member.getByRole('button', { name: 'Switch to English' }).click();
    await expect(member.locator('#result').textContent()).resolves.toBe(`Issued: number ${issueNumber}`);
    expect(await member.evaluate(() => document.documentElement.lang)).toBe('en');
    await consolePage.getByRole('button', { name: 'Switch to English' }).click();
    await expect(consolePage.locator('figure.chart figcaption').first().textContent()).resolves.toBe('Accepted / decided per second');
    expect(await rateLegend.allTextContents()).toEqual(['time', 'accepted/s', 'decided/s']);
    expect(await legendRows()).toEqual([3, 2, 2, 4]);
    expect(Number(await consolePage.locator('figure.chart').first().getAttribute('data-points'))).toBeGreaterThanOrEqual(3); // kept across the switch

    expect(memberProblems).toEqual([]);
    expect(consoleProblems).toEqual([]);
  }, 180_000);

  test('a member too late reads why: sold out, in Korean or English', async () => {
    // Runs after the drop above, so its worker is there to decide.
    const ticketName = `browser-one-${prefix}`;
    const ticketId = await createTicket(client, api.url, ticketName, 1);
    const [first, late] = (await database.insertMembers(`browser-late-${prefix}`, 2)) as [number, number];
    // The page is opened while the ticket is on sale; the one unit goes to another member meanwhile.
    const page = await browser.newPage({ viewport: PHONE });
    const problems = pageProblems(page);
    await page.goto(`${api.url}/#token=${await testTokens.member(late)}`);
    const ask = page.getByRole('button', { name: `${ticketName} 신청` });
    await ask.waitFor();
    const asked = await client.post(`${api.url}/api/v1/tickets/${ticketId}/issue-requests`, { memberId: first });
    expect(asked.status).toBe(202);
    const decided = await client.get(`${api.url}/api/v1/issue-requests/${asked.body.requestId}?waitMs=20000`);
    expect(decided.body).toMatchObject({ status: 'ISSUED', issueNumber: 1 });

    await ask.click();
    const result = page.locator('#result');
    await page.locator('#result[data-status]:not([data-status=""])').waitFor({ timeout: 20_000 });
    await expect(result.textContent()).resolves.toBe('매진되어 발급되지 않았습니다');
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await expect(result.textContent()).resolves.toBe('Sold out: not issued');
    // A 409 answers at once; the browser reports any non-2xx fetch as a console error, nothing else may show.
    expect(problems.filter((problem) => !problem.includes('status of 409'))).toEqual([]);
  }, 60_000);
});

/** Records each new text (or attribute) value of `selector` in the page, from now on, in order. */
async function recordChanges(page: Page, selector: string, attribute?: string): Promise<void> {
  await page.evaluate(
    ({ selector, attribute }) => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const read = () => {
        const element = document.querySelector(selector);
        const value = element ? (attribute ? element.getAttribute(attribute) : element.textContent) : null;
        if (value !== null && value !== '–' && value !== seen.at(-1)) seen.push(value);
      };
      read();
      new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    },
    { selector, attribute },
  );
}

function recorded(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { seen: string[] }).seen);
}

/** <name>-1280.png and <name>-390.png in SCREENSHOTS (docs/screenshots: the README's). */
async function shoot(page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  // Readable at 390 px: nothing wider than the screen, so no sideways scrolling. The charts follow
  // the new width from a ResizeObserver, which runs at the next frame: give the layout 3 s to settle.
  const fits = (width: number) => document.documentElement.scrollWidth <= width;
  await page.waitForFunction(fits, PHONE.width, { timeout: 3000 }).catch(() => undefined);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-390.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}
