import type { BrowserContext, Page } from 'playwright-core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { TenantScope } from '@allmende/db';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { VolunteerCallSchema, VolunteerItemSchema, VolunteerShiftSchema } from '@allmende/volunteering';
import { checkA11y, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser-app';
import { createTenant, openOrm } from '../support/fixtures';
import { pngImage } from '../support/png';

const RESIDENT = {
  email: 'lena.lindner@example.org',
  emailVerified: true,
  givenName: 'Lena',
  familyName: 'Lindner',
};
const PHOTO_WIDTH = 96;
const PHOTO_HEIGHT = 64;
/** A real PNG made here: a small picture (sky, meadow, a sun), for the listing's photo. */
const PHOTO = pngImage(PHOTO_WIDTH, PHOTO_HEIGHT, (x, y) => {
  if ((x - 70) ** 2 + (y - 16) ** 2 < 100) return [250, 200, 40];
  return y < 40 ? [120, 180, 235] : [70, 150, 60];
});

/** "Gesucht – Gefunden" and "Mach mit!" in Chromium: the forms, the counts, axe, screenshots. */
describe('listings and volunteering in the browser', () => {
  let env: BrowserApp;
  let context: BrowserContext;
  let page: Page;
  let orm: MikroORM;
  let slug: string;
  const ids = { call: '', shift: '' };

  beforeAll(async () => {
    orm = await openOrm();
    const tenant = await createTenant(orm, 'Ortsgemeinde Browserbach');
    slug = tenant.slug;
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const lena = em.create(MemberSchema, {
        email: RESIDENT.email,
        givenName: RESIDENT.givenName,
        familyName: RESIDENT.familyName,
      });
      const group = em.create(GroupSchema, {
        key: 'dorfleben',
        name: { de: 'Dorfleben', en: 'Village life' },
        visibility: 'public',
        joinPolicy: 'open',
      });
      em.create(GroupModuleSchema, {
        group,
        module: 'listings',
        settings: { kinds: ['lost', 'found', 'missing_pet'], expiryDays: 30 },
      });
      em.create(GroupModuleSchema, { group, module: 'volunteering', settings: {} });
      em.create(GroupMemberSchema, { group, member: lena, role: 'group_admin' });
      const soon = DateTime.now().setZone('Europe/Berlin').startOf('day').plus({ days: 5, hours: 10 });
      const call = em.create(VolunteerCallSchema, {
        group,
        author: lena,
        title: 'Aufbau Adventsmarkt',
        body: 'Wir bauen die **Buden** auf.',
        place: 'Dorfplatz',
      });
      ids.call = call.id;
      ids.shift = em.create(VolunteerShiftSchema, {
        call,
        startsAt: soon.toJSDate(),
        endsAt: soon.plus({ hours: 4 }).toJSDate(),
        helpersNeeded: 6,
      }).id;
      em.create(VolunteerItemSchema, { call, name: 'Glühwein-Töpfe', quantityNeeded: 3 });
      await em.flush();
    });
    env = await startBrowserApp([RESIDENT]);
    context = await env.browser.newContext({ locale: 'de-DE' });
    page = await context.newPage();
    await signIn(page, env.base, RESIDENT.email);
  });
  afterAll(async () => {
    await context?.close();
    await env?.stop();
    await orm?.close();
  });

  it('posts a lost-pet listing with a photo through the form and shows the photo', async () => {
    await page.goto(`${env.base}/t/${slug}/g/dorfleben/listings`);
    await checkA11y(page, 'listings-board-empty');
    await page.selectOption('#listing-kind', 'missing_pet');
    await page.fill('#listing-title', 'Hündin Bella entlaufen');
    await page.fill('#listing-description', 'Kleiner **Terrier**, hört auf Bella.');
    await page.fill('#listing-place', 'Waldweg');
    await page.fill('#listing-date', '2026-11-24');
    // The real multipart form: the browser sends the fields and the file (CSRF token in the action).
    await page.setInputFiles('#listing-photo-file', {
      name: 'bella.png',
      mimeType: 'image/png',
      buffer: PHOTO,
    });
    await Promise.all([page.waitForURL(/\/listings\/[0-9a-f-]{36}$/), page.click('#listing-submit')]);
    const bella = page.url();
    expect(await page.textContent('#listing-title')).toBe('Hündin Bella entlaufen');
    expect(await page.textContent('#listing-kind')).toBe('Tier vermisst');
    // The photo loads under the strict CSP (same origin, through the session), and is our image.
    const loaded = await page.locator('#listing-photo').evaluate((element) => {
      // The test's tsconfig has no DOM types: the properties of an <img> read here.
      const image = element as unknown as { complete: boolean; naturalWidth: number; naturalHeight: number };
      return image.complete ? [image.naturalWidth, image.naturalHeight] : null;
    });
    expect(loaded).toEqual([PHOTO_WIDTH, PHOTO_HEIGHT]);
    const bytes = await page.request.get(`${bella}/photo`);
    expect(bytes.headers()['content-type']).toBe('image/png');
    expect(Buffer.from(await bytes.body()).equals(PHOTO)).toBe(true);
    await checkA11y(page, 'listing');
    await screenshot(page, 'listing');

    // A second one without a photo (the field is optional).
    await page.goto(`${env.base}/t/${slug}/g/dorfleben/listings`);
    await page.selectOption('#listing-kind', 'missing_pet');
    await page.fill('#listing-title', 'Katze Minka vermisst');
    await page.fill('#listing-description', 'Schwarz mit weißen Pfoten.');
    await page.fill('#listing-place', 'Mühlenweg');
    await page.fill('#listing-date', '2026-11-23');
    await Promise.all([page.waitForURL(/\/listings\/[0-9a-f-]{36}$/), page.click('#listing-submit')]);
    expect(await page.locator('#listing-photo').count()).toBe(0);

    await page.goto(`${env.base}/t/${slug}/g/dorfleben/listings?kind=missing_pet`);
    expect(await page.locator('#listings article').count()).toBe(2);
    expect(await page.locator('#listings img.listing-thumb').count()).toBe(1);
    await checkA11y(page, 'listings-board');
    await screenshot(page, 'listings-board');

    await page.goto(bella);
    await Promise.all([page.waitForURL(/\/listings\/[0-9a-f-]{36}$/), page.click('#resolve-submit')]);
    expect(await page.textContent('#listing-status')).toBe('Erledigt');
  });

  it('pledges to a shift and sees the count change, then withdraws', async () => {
    await page.goto(`${env.base}/t/${slug}/g/dorfleben/volunteering`);
    await checkA11y(page, 'volunteering-list');
    await page.click(`a[href$="/volunteering/${ids.call}"]`);
    const count = page.locator(`#shift-count-${ids.shift}`);
    expect(await count.textContent()).toBe('0 von 6 Helfenden');
    await checkA11y(page, 'volunteering-call');
    // htmx swaps the shift's block in place (no navigation): wait for its new button.
    await page.click(`#pledge-shift-${ids.shift}-submit`);
    await page.waitForSelector(`#withdraw-shift-${ids.shift}-submit`);
    expect(await count.textContent()).toBe('1 von 6 Helfenden');
    expect(await page.isVisible(`#withdraw-shift-${ids.shift}-submit`)).toBe(true);
    await checkA11y(page, 'volunteering-call-pledged');
    await screenshot(page, 'volunteering-call');
    await page.click(`#withdraw-shift-${ids.shift}-submit`);
    await page.waitForSelector(`#pledge-shift-${ids.shift}-submit`);
    expect(await count.textContent()).toBe('0 von 6 Helfenden');
  });
});
