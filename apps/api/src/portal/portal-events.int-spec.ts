import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { EventSchema } from '@allmende/events';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { BrowserSession, formValue } from '../../../../test/support/browser-session';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { startApiWithIdentityProvider, TEST_PASSWORD } from '../../../../test/support/identity';

/** A group's events in the portal (issue 8): list, event page, RSVP with guests. */
describe('portal events pages', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let tenant: Tenant;
  let eventId = '';
  const person = (email: string, givenName: string, familyName: string) => ({
    email,
    givenName,
    familyName,
    emailVerified: true,
  });
  const people = {
    /** member of `feste`. */
    member: person('rita.rsvp@example.org', 'Rita', 'Rsvp'),
    /** member of the community, not of the group. */
    outsider: person('otto.aussen@example.org', 'Otto', 'Außen'),
  };

  const page = (path: string) => `${base}/t/${tenant.slug}${path}`;
  const text = async (response: Response) =>
    (await response.text()).replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

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
    tenant = await createTenant(orm, 'Ortsgemeinde Festhausen');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const rita = em.create(MemberSchema, {
        email: people.member.email,
        givenName: 'Rita',
        familyName: 'Rsvp',
      });
      em.create(MemberSchema, { email: people.outsider.email, givenName: 'Otto', familyName: 'Außen' });
      const feste = em.create(GroupSchema, {
        key: 'feste',
        name: { de: 'Feste', en: 'Festivities' },
        visibility: 'public',
        joinPolicy: 'invite',
      });
      em.create(GroupModuleSchema, { group: feste, module: 'events', settings: {} });
      em.create(GroupMemberSchema, { group: feste, member: rita, role: 'group_admin' });
      const soon = DateTime.now().setZone('Europe/Berlin').startOf('day').plus({ days: 4, hours: 18 });
      eventId = em.create(EventSchema, {
        group: feste,
        author: rita,
        title: 'Laternenumzug',
        description: 'Mit **Musik**.',
        place: 'Dorfplatz',
        startsAt: soon.toJSDate(),
        endsAt: soon.plus({ hours: 2 }).toJSDate(),
        capacity: 3,
      }).id;
      await em.flush();
    });
    ({ app, idp, base } = await startApiWithIdentityProvider(Object.values(people)));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  it('shows residents without login the list and the event, without the RSVP form', async () => {
    const browser = new BrowserSession();
    const list = await browser.request(page('/g/feste/events'));
    expect(list.status).toBe(200);
    const html = await text(list);
    expect(html).toContain(`href="/t/${tenant.slug}/g/feste/events/${eventId}"`);
    expect(html).toContain('Laternenumzug');
    const event = await browser.request(page(`/g/feste/events/${eventId}`));
    expect(event.status).toBe(200);
    const eventHtml = await text(event);
    expect(eventHtml).toContain('Mit <strong>Musik</strong>.');
    expect(eventHtml).toContain('3 Plätze frei');
    expect(eventHtml).not.toContain('id="rsvp-form"');
    expect((await browser.request(page('/g/feste/events/not-an-id'))).status).toBe(404);
  });

  it('lets a group member answer with guests, and shows the answer and the places left', async () => {
    const { browser, html } = await signIn('member', `/g/feste/events/${eventId}`);
    expect(html).toContain('id="rsvp-form"');
    const csrf = formValue(html, '_csrf')!;
    const action = page(`/g/feste/events/${eventId}/rsvp`);
    const answered = await browser.request(action, { form: { _csrf: csrf, answer: 'yes', guests: '1' } });
    expect(answered.status).toBe(303);
    expect(answered.headers.get('location')).toBe(`/t/${tenant.slug}/g/feste/events/${eventId}#rsvp`);
    const after = await text(await browser.request(page(`/g/feste/events/${eventId}`)));
    expect(after).toMatch(/id="my-rsvp">[\s\S]*Ich komme[\s\S]*1 Begleitpersonen/);
    expect(after).toContain('1 Zusagen');
    expect(after).toContain('1 Plätze frei');
    expect(after).toMatch(/id="rsvp-yes"[^>]*checked/);

    // The REST API's rules: an unknown answer is refused.
    const refused = await browser.request(action, { form: { _csrf: csrf, answer: 'vielleicht-ja' } });
    expect(refused.status).toBe(400);
    // Without the CSRF token: 403.
    expect((await browser.request(action, { form: { answer: 'no' } })).status).toBe(403);
  });

  it('gives members outside the group no RSVP form, and refuses their answer', async () => {
    const { browser, html } = await signIn('outsider', `/g/feste/events/${eventId}`);
    expect(html).not.toContain('id="rsvp-form"');
    const csrf = formValue(html, '_csrf')!;
    const refused = await browser.request(page(`/g/feste/events/${eventId}/rsvp`), {
      form: { _csrf: csrf, answer: 'yes' },
    });
    expect(refused.status).toBe(403);
  });
});
