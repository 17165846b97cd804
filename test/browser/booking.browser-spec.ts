import type { BrowserContext, Page } from 'playwright-core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { BookableResourceSchema, BookingSchema } from '@allmende/booking';
import { TenantScope } from '@allmende/db';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { createTenant, openOrm } from '../support/fixtures';
import { checkA11y, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser-app';

const person = (email: string, givenName: string, familyName: string) => ({
  email,
  emailVerified: true,
  givenName,
  familyName,
});
const STEWARD = person('wilma.wart@example.org', 'Wilma', 'Wart');
const MEMBER = person('bert.buch@example.org', 'Bert', 'Buch');

/**
 * The Grillhütte in a real browser (issue 8): a member requests it, a taken slot is refused
 * with a clear message, a steward approves; axe on every page, screenshots for the docs.
 */
describe('booking in the browser', () => {
  let env: BrowserApp;
  let orm: MikroORM;
  let slug: string;
  const contexts: BrowserContext[] = [];
  const zone = 'Europe/Berlin';
  const busyDay = DateTime.now().setZone(zone).startOf('day').plus({ days: 5 });
  const ownDay = busyDay.plus({ days: 2 });
  const local = (at: DateTime) => at.toFormat("yyyy-MM-dd'T'HH:mm");
  const bookingPage = (at: DateTime) =>
    `${env.base}/t/${slug}/g/grillhuette/booking?month=${at.toFormat('yyyy-MM')}`;

  async function newPage(): Promise<Page> {
    const context = await env.browser.newContext({ locale: 'de-DE' });
    contexts.push(context);
    return context.newPage();
  }

  beforeAll(async () => {
    orm = await openOrm();
    const tenant = await createTenant(orm, 'Ortsgemeinde Grillhausen');
    slug = tenant.slug;
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const member = (who: typeof STEWARD) =>
        em.create(MemberSchema, { email: who.email, givenName: who.givenName, familyName: who.familyName });
      const steward = member(STEWARD);
      const bert = member(MEMBER);
      const grill = em.create(GroupSchema, {
        key: 'grillhuette',
        name: { de: 'Grillhütte' },
        visibility: 'public',
        joinPolicy: 'invite',
      });
      em.create(GroupModuleSchema, { group: grill, module: 'booking', settings: {} });
      em.create(GroupMemberSchema, { group: grill, member: steward, role: 'group_admin' });
      em.create(GroupMemberSchema, { group: grill, member: bert });
      const hut = em.create(BookableResourceSchema, {
        group: grill,
        key: 'huette',
        name: { de: 'Grillhütte am Wald', en: 'Barbecue hut' },
        place: 'Am Waldrand 1',
        capacity: 40,
        minHours: 1,
        maxHours: 48,
        leadTimeDays: 0,
        windowDays: 365,
        approvalRequired: true,
        houseRules: { de: 'Feuer nur im Grill. Um 22 Uhr ist Ruhe.', en: 'Fire only in the grill.' },
      });
      em.create(BookingSchema, {
        resource: hut,
        group: grill,
        requester: steward,
        startsAt: busyDay.plus({ hours: 10 }).toJSDate(),
        endsAt: busyDay.plus({ hours: 22 }).toJSDate(),
        status: 'approved',
        purpose: 'Sommerfest',
        expectedGuests: 20,
        contactPhone: '0123 456',
      });
      await em.flush();
    });
    env = await startBrowserApp([STEWARD, MEMBER]);
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await env?.stop();
    await orm?.close();
  });

  it('shows residents without login the occupancy', async () => {
    const page = await newPage();
    const response = await page.goto(bookingPage(busyDay));
    expect(response?.status()).toBe(200);
    expect(await page.getAttribute(`#day-huette-${busyDay.toISODate()}`, 'data-state')).toBe('busy');
    expect(await page.locator('#booking-form-huette').count()).toBe(0);
    await checkA11y(page, 'booking-public');
    await screenshot(page, 'booking-public');
  });

  it('lets a member request the hut, refuses a taken slot clearly, and a steward approves', async () => {
    const member = await newPage();
    await signIn(member, env.base, MEMBER.email);
    await member.goto(bookingPage(busyDay));
    await checkA11y(member, 'booking-member');
    await screenshot(member, 'booking-member');

    const fill = async (from: DateTime) => {
      await member.fill('#booking-start-huette', local(from));
      await member.fill('#booking-end-huette', local(from.plus({ hours: 4 })));
      await member.fill('#booking-purpose-huette', 'Geburtstag von Bert');
      await member.fill('#booking-guests-huette', '12');
      await member.fill('#booking-phone-huette', '0170 1234567');
      await member.check('#booking-house-rules-huette');
      await Promise.all([member.waitForLoadState('load'), member.click('#booking-submit-huette')]);
    };

    // The approved day is taken: the form comes back with a message naming the period.
    await fill(busyDay.plus({ hours: 12 }));
    const conflict = member.locator('#booking-conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('Dieser Zeitraum ist nicht mehr frei.');
    expect(await member.inputValue('#booking-purpose-huette')).toBe('Geburtstag von Bert');
    await conflict.scrollIntoViewIfNeeded();
    await checkA11y(member, 'booking-conflict');
    await screenshot(member, 'booking-conflict');

    // A free day: the request page with its status.
    await fill(ownDay.plus({ hours: 12 }));
    await member.waitForURL(/\/booking\/requests\/[0-9a-f-]{36}$/);
    expect(await member.textContent('#booking-status')).toBe('angefragt');
    await checkA11y(member, 'booking-request');
    await screenshot(member, 'booking-request');
    const requestId = member.url().split('/').at(-1)!;

    // The steward approves it from the queue.
    const steward = await newPage();
    await signIn(steward, env.base, STEWARD.email);
    await steward.goto(bookingPage(ownDay));
    await steward.locator(`#queue-${requestId}`).waitFor();
    await steward.locator('#queue').scrollIntoViewIfNeeded();
    await checkA11y(steward, 'booking-queue');
    await screenshot(steward, 'booking-queue');
    await steward.fill(`#approve-message-${requestId}`, 'Den Schlüssel gibt es im Rathaus.');
    await Promise.all([steward.waitForURL(/\/booking#queue$/), steward.click(`#approve-${requestId}`)]);
    expect(await steward.locator(`#queue-${requestId}`).count()).toBe(0);

    await member.reload();
    expect(await member.textContent('#booking-status')).toBe('bestätigt');
    expect(await member.textContent('#booking-decision-message')).toContain(
      'Den Schlüssel gibt es im Rathaus.',
    );
  });
});
