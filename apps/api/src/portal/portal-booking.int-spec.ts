import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { BookableResourceSchema, BookingSchema } from '@allmende/booking';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { BrowserSession, formValue } from '../../../../test/support/browser-session';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { startApiWithIdentityProvider, TEST_PASSWORD } from '../../../../test/support/identity';

/**
 * The Grillhütte in the portal (issue 8): the month's occupancy (anonymous residents see only
 * "belegt"), the request form with the house rules, a taken slot refused with a clear
 * message, "my requests", and the stewards' queue with approve and decline.
 */
describe('portal booking pages', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let tenant: Tenant;
  const person = (email: string, givenName: string, familyName: string) => ({
    email,
    givenName,
    familyName,
    emailVerified: true,
  });
  const people = {
    /** group_admin of `grillhuette`: approves and declines. */
    steward: person('wilma.wart@example.org', 'Wilma', 'Wart'),
    /** member of `grillhuette`: requests. */
    member: person('bert.buch@example.org', 'Bert', 'Buch'),
    /** member of the community, not of the group. */
    outsider: person('olga.aussen@example.org', 'Olga', 'Außen'),
  };
  const zone = 'Europe/Berlin';
  const day = (offset: number) => DateTime.now().setZone(zone).startOf('day').plus({ days: offset });
  /** Approved (busy), requested (tentative) and the member's own request day. */
  const busyDay = day(5);
  const tentativeDay = day(6);
  const ownDay = day(8);

  const page = (path: string) => `${base}/t/${tenant.slug}${path}`;
  const monthOf = (at: DateTime) => `/g/grillhuette/booking?month=${at.toFormat('yyyy-MM')}`;
  const local = (at: DateTime) => at.toFormat("yyyy-MM-dd'T'HH:mm");
  const text = async (response: Response) =>
    (await response.text()).replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
  const stateOf = (html: string, at: DateTime) =>
    new RegExp(`id="day-huette-${at.toISODate()}" data-state="(\\w+)"`).exec(html)?.[1];

  /** Every form of the page carries the session's CSRF token (not only the header's). */
  const expectTokensEverywhere = (html: string) => {
    const tokens = [...html.matchAll(/name="_csrf" value="([^"]*)"/g)].map((match) => match[1]);
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.filter((token) => !token)).toEqual([]);
  };

  async function signIn(who: keyof typeof people, path: string) {
    const browser = new BrowserSession();
    const start = await browser.follow(
      `${base}/auth/login?returnTo=${encodeURIComponent(`/t/${tenant.slug}${path}`)}`,
    );
    const loginPage = await start.response.text();
    const action = /<form[^>]*action="([^"]*)"/.exec(loginPage)![1]!.replace(/&amp;/g, '&');
    const landed = await browser.follow(new URL(action, start.url).href, {
      form: { username: people[who].email, password: TEST_PASSWORD },
    });
    expect(landed.url).toBe(page(path));
    return { browser, html: await text(landed.response) };
  }

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Grillhausen');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const member = (who: keyof typeof people) =>
        em.create(MemberSchema, {
          email: people[who].email,
          givenName: people[who].givenName,
          familyName: people[who].familyName,
        });
      const steward = member('steward');
      const bert = member('member');
      member('outsider');
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
        minHours: 1,
        maxHours: 48,
        leadTimeDays: 0,
        windowDays: 365,
        approvalRequired: true,
        houseRules: { de: 'Feuer nur im Grill.', en: 'Fire only in the grill.' },
      });
      const booking = (at: DateTime, status: 'approved' | 'requested') =>
        em.create(BookingSchema, {
          resource: hut,
          group: grill,
          requester: steward,
          startsAt: at.plus({ hours: 10 }).toJSDate(),
          endsAt: at.plus({ hours: 22 }).toJSDate(),
          status,
          purpose: 'Sommerfest der Wartin',
          expectedGuests: 20,
          contactPhone: '0123 456',
        });
      booking(busyDay, 'approved');
      booking(tentativeDay, 'requested');
      await em.flush();
    });
    ({ app, idp, base } = await startApiWithIdentityProvider(Object.values(people)));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  it('shows anonymous residents the month with busy days only, no names and no form', async () => {
    const browser = new BrowserSession();
    const response = await browser.request(page(monthOf(busyDay)));
    expect(response.status).toBe(200);
    const html = await text(response);
    expect(html).toContain('Grillhütte am Wald');
    expect(html).toContain('Feuer nur im Grill.');
    expect(stateOf(html, busyDay)).toBe('busy');
    expect(html).not.toContain('Sommerfest der Wartin');
    expect(html).not.toContain('Wart');
    expect(html).not.toContain('id="booking-form-huette"');
    expect(html).toContain('id="booking-sign-in"');
    // Asked-for days are the members' business: for residents they are just "belegt".
    const tentativeMonth = await text(await browser.request(page(monthOf(tentativeDay))));
    expect(stateOf(tentativeMonth, tentativeDay)).toBe('busy');
    expect(tentativeMonth).not.toContain('data-state="tentative"');
    expect(stateOf(tentativeMonth, day(9))).toBe(day(9).hasSame(tentativeDay, 'month') ? 'free' : undefined);
  });

  it('lets a member request the hut: house rules, a taken slot refused clearly, then "my requests"', async () => {
    const { browser, html } = await signIn('member', monthOf(tentativeDay));
    expect(stateOf(html, tentativeDay)).toBe('tentative');
    expect(html).toContain('id="booking-form-huette"');
    expect(html).toContain('id="mine"');
    expectTokensEverywhere(html);
    const csrf = formValue(html, '_csrf')!;
    const form = (from: DateTime, hours: number, extra: Record<string, string> = {}) => ({
      _csrf: csrf,
      start: local(from),
      end: local(from.plus({ hours })),
      purpose: 'Geburtstag von Bert',
      expectedGuests: '12',
      contactPhone: '0170 1234567',
      acceptHouseRules: 'on',
      ...extra,
    });
    const action = page('/g/grillhuette/booking/huette/requests');

    // Without accepting the house rules: the form again, with what was typed.
    const { acceptHouseRules: _accepted, ...withoutRules } = form(ownDay.plus({ hours: 12 }), 4);
    const refused = await browser.request(action, { form: withoutRules });
    expect(refused.status).toBe(400);
    const again = await text(refused);
    expect(again).toContain('id="booking-form-errors"');
    // The error summary above the form links to the refused field, in the catalogue's words.
    expect(again).toMatch(
      /id="booking-form-errors"[\s\S]*<a class="kern-link" href="#booking-house-rules-huette">Hausordnung<\/a>: Bitte bestätigen Sie, dass Sie die Hausordnung gelesen haben/,
    );
    expect(again).toMatch(/id="booking-house-rules-huette"[^>]*aria-invalid="true"/);
    expect(again).not.toMatch(/id="booking-purpose-huette"[^>]*aria-invalid/);
    // An end before the start (the booking rules): the summary links to the end field, marked.
    const backwards = await browser.request(action, { form: form(ownDay.plus({ hours: 12 }), -2) });
    expect(backwards.status).toBe(400);
    const backwardsHtml = await text(backwards);
    expect(backwardsHtml).toMatch(
      /id="booking-form-errors"[\s\S]*<a class="kern-link" href="#booking-end-huette">Ende<\/a>: Bitte wählen Sie ein Ende nach dem Beginn/,
    );
    expect(backwardsHtml).toMatch(
      /class="kern-form-input__input kern-form-input__input--error" id="booking-end-huette"[^>]*aria-invalid="true"/,
    );
    expect(again).toMatch(/<textarea id="booking-purpose-huette"[^>]*>Geburtstag von Bert<\/textarea>/);

    // Overlapping the approved booking: refused with a clear message naming the taken period.
    const taken = await browser.request(action, { form: form(busyDay.plus({ hours: 12 }), 2) });
    expect(taken.status).toBe(409);
    const conflict = await text(taken);
    expect(conflict).toContain('id="booking-conflict"');
    expect(conflict).toContain('Dieser Zeitraum ist nicht mehr frei.');
    expect(conflict).toContain('Er überschneidet sich mit einer Buchung von');
    expect(conflict).toContain('10:00');
    expect(conflict).not.toContain('Sommerfest der Wartin');

    // A free slot: the request, then its page with the status.
    const created = await browser.request(action, { form: form(ownDay.plus({ hours: 12 }), 4) });
    expect(created.status).toBe(303);
    const location = created.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^/t/${tenant.slug}/g/grillhuette/booking/requests/[0-9a-f-]{36}$`));
    const requestPage = await text(await browser.request(`${base}${location}`));
    expect(requestPage).toMatch(/id="booking-status"><span class="kern-label">angefragt</);
    expect(requestPage).toContain('Geburtstag von Bert');
    expect(requestPage).not.toContain('id="approve-form"');

    const overview = await text(await browser.request(page(monthOf(ownDay))));
    expect(stateOf(overview, ownDay)).toBe('tentative');
    expect(overview).toMatch(/id="mine"[\s\S]*Grillhütte am Wald[\s\S]*angefragt/);
    expect(overview).not.toContain('id="queue"');
  });

  it('gives community members outside the group no form, and no request pages of others', async () => {
    const { browser, html } = await signIn('outsider', monthOf(busyDay));
    expect(html).not.toContain('id="booking-form-huette"');
    expect(html).toContain('id="booking-join-hint"');
    const queueLink = await browser.request(
      page('/g/grillhuette/booking/requests/00000000-0000-4000-8000-000000000000'),
    );
    expect(queueLink.status).toBe(404);
  });

  it('lets the steward approve from the queue and decline only with a reason', async () => {
    const { browser, html } = await signIn('steward', '/g/grillhuette/booking');
    expect(html).toContain('id="queue"');
    expectTokensEverywhere(html);
    const queueItem = (needle: string) =>
      html
        .split('<article')
        .find((item) => item.includes(needle))
        ?.match(/id="queue-([0-9a-f-]{36})"/)?.[1];
    const bertsId = queueItem('Geburtstag von Bert');
    expect(bertsId).toBeDefined();
    const csrf = formValue(html, '_csrf')!;

    const noReason = await browser.request(page(`/g/grillhuette/booking/requests/${bertsId}/decline`), {
      form: { _csrf: csrf, message: '' },
    });
    expect(noReason.status).toBe(400);

    const approved = await browser.request(page(`/g/grillhuette/booking/requests/${bertsId}/approve`), {
      form: { _csrf: csrf, message: 'Schlüssel beim Bürgermeister' },
    });
    expect(approved.status).toBe(303);
    expect(approved.headers.get('location')).toBe(`/t/${tenant.slug}/g/grillhuette/booking#queue`);
    const requestPage = await text(await browser.request(page(`/g/grillhuette/booking/requests/${bertsId}`)));
    expect(requestPage).toMatch(/id="booking-status"><span class="kern-label">bestätigt</);
    expect(requestPage).toContain('Schlüssel beim Bürgermeister');
    expect(requestPage).not.toContain('id="approve-form"');

    // The other open request is declined with a reason, which frees its day.
    const queue = await text(await browser.request(page('/g/grillhuette/booking')));
    expect(queue).not.toContain(`id="queue-${bertsId}"`);
    const otherId = /id="queue-([0-9a-f-]{36})"/.exec(queue)![1]!;
    const declined = await browser.request(page(`/g/grillhuette/booking/requests/${otherId}/decline`), {
      form: { _csrf: csrf, message: 'Da ist Markt.' },
    });
    expect(declined.status).toBe(303);
    const month = await text(await browser.request(page(monthOf(tentativeDay))));
    expect(stateOf(month, tentativeDay)).toBe('free');
    expect(stateOf(month, ownDay.hasSame(tentativeDay, 'month') ? ownDay : tentativeDay)).toBe(
      ownDay.hasSame(tentativeDay, 'month') ? 'busy' : 'free',
    );
  });

  it('speaks English on request', async () => {
    const html = await text(await new BrowserSession().request(page(`${monthOf(busyDay)}&lang=en`)));
    expect(html).toContain('Barbecue hut');
    expect(html).toContain('Fire only in the grill.');
    expect(html).toMatch(
      new RegExp(
        `id="day-huette-${busyDay.toISODate()}" data-state="busy"><span class="day-number">\\d+</span> <span class="day-state">booked`,
      ),
    );
  });
});
