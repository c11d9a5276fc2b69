import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium fonts-noto-cjk; .ci/run installs it when missing). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless, and quiet: no first-run, sync, component updates or background requests, so the only
 * traffic is the test's own to 127.0.0.1; no sandbox, as CI runs as root in a container.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * What went wrong inside a page: uncaught errors and console errors, which is where Chromium
 * reports a Content-Security-Policy violation. A test asserts the list is empty.
 */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return problems;
}
