import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { DevUser } from '@allmende/dev-idp';
import { startApiWithIdentityProvider, TEST_PASSWORD, type ApiWithIdentity } from './identity';

/** Debian's Chromium; Playwright's own browser downloads are not used (see .ci/run). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
/** Committed next to the docs so the README can link them. */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'docs', 'screenshots');

export interface BrowserApp extends ApiWithIdentity {
  browser: Browser;
}

/** Fails loudly (not a skip) when Chromium is missing, saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it with \`apt-get install -y chromium\` ` +
        '(CI does this in .ci/run) or set CHROMIUM_PATH.',
    );
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** The API with its dev identity provider on a free port, plus one Chromium for the test file. */
export async function startBrowserApp(users: Omit<DevUser, 'username' | 'password'>[]): Promise<BrowserApp> {
  const browser = await launchChromium();
  const api = await startApiWithIdentityProvider(users);
  return {
    ...api,
    browser,
    stop: async () => {
      await browser.close();
      await api.stop();
    },
  };
}

/** Signs in through the real login form of the dev identity provider (username = e-mail). */
export async function signIn(page: Page, base: string, username: string): Promise<void> {
  await page.goto(`${base}/me`);
  await page.fill('#username', username);
  await page.fill('#password', TEST_PASSWORD);
  await Promise.all([page.waitForURL((url) => url.href.startsWith(base)), page.press('#password', 'Enter')]);
}

/**
 * WCAG 2.1 A/AA with axe; fails on serious or critical violations, listing each one. Also
 * reflow (1.4.10), which axe does not check: no horizontal scrolling at 320 CSS px. The page
 * must come from `browser.newContext()` (AxeBuilder refuses pages from `browser.newPage()`).
 */
export async function checkA11y(page: Page, name: string): Promise<void> {
  await expectReflowAt320(page);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (blocking.length === 0) return;
  const lines = blocking.map(
    (v) => `- [${v.impact}] ${v.id}: ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`,
  );
  throw new Error(`Accessibility violations on "${name}" (${page.url()}):\n${lines.join('\n')}`);
}

/**
 * No horizontal scrolling of the page at 320 CSS px (WCAG 1.4.10 Reflow; a wide table may
 * scroll inside its own box). The page's width is restored after.
 */
export async function expectReflowAt320(page: Page): Promise<void> {
  const original = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  const width = await page.locator('html').evaluate((html) => html.scrollWidth);
  if (original) await page.setViewportSize(original);
  expect(`${new URL(page.url()).pathname}: scrollWidth ${width}`).toBe(
    `${new URL(page.url()).pathname}: scrollWidth ${Math.min(width, 320)}`,
  );
}

/** Viewport-only PNGs at desktop (1280 px) and mobile (375 px) width, kept small for the repo. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const original = page.viewportSize();
  for (const [label, size] of [
    ['desktop', { width: 1280, height: 800 }],
    ['mobile', { width: 375, height: 740 }],
  ] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${label}.png`) });
  }
  if (original) await page.setViewportSize(original);
}
