import type { BrowserContext, Page } from 'playwright-core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createTenant, openOrm } from '../support/fixtures';
import { checkA11y, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser-app';

const RESIDENT = {
  email: 'anna.becker@example.org',
  emailVerified: true,
  givenName: 'Anna',
  familyName: 'Becker',
};

describe('portal in the browser', () => {
  let env: BrowserApp;
  let context: BrowserContext;
  let page: Page;
  let orm: MikroORM;
  let tenantSlug: string;

  beforeAll(async () => {
    orm = await openOrm();
    tenantSlug = (await createTenant(orm)).slug;
    env = await startBrowserApp([RESIDENT]);
    context = await env.browser.newContext({ locale: 'de-DE' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await env?.stop();
    await orm?.close();
  });

  it('signs in through the dev identity provider and lands on /me', async () => {
    await signIn(page, env.base, RESIDENT.email);
    expect(new URL(page.url()).pathname).toBe('/me');
    await checkA11y(page, 'me');
    await screenshot(page, 'me');
  });

  // The portal's public pages (issue 8) are being built; until /t/:tenant answers this fails
  // with the status it got rather than being skipped.
  it('lets a resident without login read the community page', async () => {
    const visitor = await env.browser.newContext({ locale: 'de-DE' });
    const publicPage = await visitor.newPage();
    try {
      const response = await publicPage.goto(`${env.base}/t/${tenantSlug}`);
      expect(`GET /t/:tenant -> ${response?.status()}`).toBe('GET /t/:tenant -> 200');
      await checkA11y(publicPage, 'community');
      await screenshot(publicPage, 'community');
    } finally {
      await visitor.close();
    }
  });
});
