import type { BrowserContext, Page } from 'playwright-core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { TenantScope } from '@allmende/db';
import { EventSchema } from '@allmende/events';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { createTenant, openOrm } from '../support/fixtures';
import { checkA11y, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser-app';

const MEMBER = { email: 'rita.rsvp@example.org', emailVerified: true, givenName: 'Rita', familyName: 'Rsvp' };

/** Events in a real browser (issue 8): the list, the event page, an RSVP with a guest; axe and screenshots. */
describe('events in the browser', () => {
  let env: BrowserApp;
  let orm: MikroORM;
  let context: BrowserContext;
  let page: Page;
  let slug: string;
  let eventId: string;

  beforeAll(async () => {
    orm = await openOrm();
    const tenant = await createTenant(orm, 'Ortsgemeinde Festhausen');
    slug = tenant.slug;
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const rita = em.create(MemberSchema, { email: MEMBER.email, givenName: 'Rita', familyName: 'Rsvp' });
      const feste = em.create(GroupSchema, {
        key: 'feste',
        name: { de: 'Feste', en: 'Festivities' },
        visibility: 'public',
        joinPolicy: 'invite',
      });
      em.create(GroupModuleSchema, { group: feste, module: 'events', settings: {} });
      em.create(GroupMemberSchema, { group: feste, member: rita });
      const soon = DateTime.now().setZone('Europe/Berlin').startOf('day').plus({ days: 4, hours: 18 });
      eventId = em.create(EventSchema, {
        group: feste,
        author: rita,
        title: 'Laternenumzug',
        description: 'Mit **Musik** und Punsch.',
        place: 'Dorfplatz',
        startsAt: soon.toJSDate(),
        endsAt: soon.plus({ hours: 2 }).toJSDate(),
        capacity: 30,
      }).id;
      await em.flush();
    });
    env = await startBrowserApp([MEMBER]);
    context = await env.browser.newContext({ locale: 'de-DE' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await env?.stop();
    await orm?.close();
  });

  it('lists the events and lets a member answer with a guest', async () => {
    await signIn(page, env.base, MEMBER.email);
    const list = await page.goto(`${env.base}/t/${slug}/g/feste/events`);
    expect(list?.status()).toBe(200);
    await checkA11y(page, 'events-list');
    await screenshot(page, 'events-list');

    await Promise.all([page.waitForURL(/\/events\/[0-9a-f-]{36}$/), page.click(`#event-${eventId} a`)]);
    await checkA11y(page, 'events-event');
    await page.check('#rsvp-yes');
    await page.fill('#rsvp-guests', '1');
    await Promise.all([page.waitForURL(/#rsvp$/), page.click('#rsvp-submit')]);
    expect(await page.textContent('#my-rsvp')).toContain('Ich komme');
    expect(await page.textContent('#event-counts')).toContain('28 Plätze frei');
    expect(await page.isChecked('#rsvp-yes')).toBe(true);
    await checkA11y(page, 'events-rsvp');
    await screenshot(page, 'events-event');
  });
});
