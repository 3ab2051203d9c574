import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium (apt-get install chromium), or CHROMIUM_PATH. The browser tests fail loudly
 * without one: they are never skipped.
 */
export function chromiumPath(): string {
  const path = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}: install it (apt-get install -y chromium) or set CHROMIUM_PATH. ` +
        'The browser tests (npm run test:e2e) need a real browser.',
    );
  }
  return path;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const PHONE = { width: 360, height: 780 };
export const DESKTOP = { width: 1280, height: 900 };

export const SCREENSHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');

export interface TestBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Page errors and console errors seen so far: a test fails on any. */
  readonly problems: string[];
  close(): Promise<void>;
}

/** A fresh Chromium with its own profile (a new --user-data-dir), one page, phone-sized. */
export async function openBrowser(baseUrl: string): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'ecohub-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: PHONE,
    baseURL: baseUrl,
    timeout: 60_000,
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // The browser logs failed requests the app expects (a 404 it shows as "not found").
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      problems.push(`console error: ${msg.text()}`);
    }
  });
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Screenshots of the whole page at phone (360 px) and desktop width, saved as
 * test-artifacts/screenshots/{name}-360.png and {name}-1280.png. The viewport is made as tall as the
 * page, so fixed bars (the phone's tab bar) sit where a user sees them: at the bottom.
 */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const before = page.viewportSize() ?? PHONE;
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    const height = await page.evaluate(
      // Layout (and the chart's ResizeObserver) settles in the next frames.
      () =>
        new Promise<number>((resolve) =>
          requestAnimationFrame(() =>
            requestAnimationFrame(() => resolve(document.documentElement.scrollHeight)),
          ),
        ),
    );
    await page.setViewportSize({ width: size.width, height: Math.min(8000, Math.max(size.height, height)) });
    await page.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
    );
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size.width}.png`) });
  }
  await page.setViewportSize(before);
}
