import type { BrowserContext, Page } from 'playwright-core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantBrandingService } from '@allmende/tenants';
import { createTenant, openOrm } from '../support/fixtures';
import { pngImage } from '../support/png';
import { checkA11y, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser-app';

const RESIDENT = {
  email: 'anna.becker@example.org',
  emailVerified: true,
  givenName: 'Anna',
  familyName: 'Becker',
};

/** The community's accent colour (7.8:1 against white). */
const ACCENT = '#0b5e3b';

describe('portal in the browser', () => {
  let env: BrowserApp;
  let context: BrowserContext;
  let page: Page;
  let orm: MikroORM;
  let tenantSlug: string;

  beforeAll(async () => {
    orm = await openOrm();
    const tenant = await createTenant(orm);
    tenantSlug = tenant.slug;
    // The community's look: a green accent and a red-and-white coat of arms.
    await new TenantBrandingService(orm).change(tenant.id, {
      accentColor: ACCENT,
      logo: pngImage(48, 56, (x, y) => (x < 24 !== y < 28 ? [200, 16, 46] : [255, 255, 255])),
    });
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

  it("lets a resident without login read the community page, in KERN and the community's look, from our origin only", async () => {
    const visitor = await env.browser.newContext({ locale: 'de-DE' });
    const publicPage = await visitor.newPage();
    // Every request the page makes (stylesheets, fonts, logo, scripts): none to another origin.
    const requested: string[] = [];
    publicPage.on('request', (request) => requested.push(request.url()));
    try {
      const response = await publicPage.goto(`${env.base}/t/${tenantSlug}`);
      expect(`GET /t/:tenant -> ${response?.status()}`).toBe('GET /t/:tenant -> 200');
      // In the page (a string: this project's TypeScript has no DOM types).
      const look = await publicPage.evaluate(`document.fonts.ready.then(() => ({
        fira: document.fonts.check('18px "Fira Sans"'),
        font: getComputedStyle(document.body).fontFamily,
        link: getComputedStyle(document.querySelector('#sign-in-hint a')).color,
        logo: document.querySelector('#community-logo')?.naturalWidth ?? 0,
      }))`);
      expect(look).toEqual({
        fira: true,
        font: expect.stringContaining('Fira Sans'),
        link: 'rgb(11, 94, 59)',
        logo: 48,
      });
      const foreign = requested.filter((url) => !url.startsWith(env.base) && !url.startsWith('data:'));
      expect(foreign).toEqual([]);
      expect(requested.some((url) => url.includes('/assets/kern/fonts/fira-sans/'))).toBe(true);
      await checkA11y(publicPage, 'community');
      // Printed (a notice for the board): the content without the header's tools and buttons.
      await publicPage.emulateMedia({ media: 'print' });
      const printed = await publicPage.evaluate(`({
        tools: getComputedStyle(document.querySelector('.site-header .tools')).display,
        heading: getComputedStyle(document.querySelector('#home-heading')).display,
      })`);
      expect(printed).toEqual({ tools: 'none', heading: 'block' });
      await publicPage.emulateMedia({ media: 'screen' });
      await screenshot(publicPage, 'community');
    } finally {
      await visitor.close();
    }
  });
});
