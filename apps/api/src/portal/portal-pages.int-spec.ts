import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { BookableResourceSchema, BookingSchema } from '@allmende/booking';
import { SESSION_COOKIE } from '@allmende/auth';
import { TenantScope } from '@allmende/db';
import { EventSchema } from '@allmende/events';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { NewsPostSchema } from '@allmende/news';
import { NotificationPreferencesService } from '@allmende/notifications';
import type { Tenant } from '@allmende/tenants';
import { VolunteerCallSchema, VolunteerShiftSchema } from '@allmende/volunteering';
import { BrowserSession, formValue } from '../../../../test/support/browser-session';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { startApiWithIdentityProvider, TEST_PASSWORD } from '../../../../test/support/identity';

/**
 * The portal's community pages as a browser uses them (cookie jar, forms, redirects), with
 * the real API, database, Redis and the dev identity provider.
 */
describe('portal pages', () => {
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
    /** group_admin of `neuigkeiten` and `verwaltung`. */
    editor: person('greta.portal@example.org', 'Greta', 'Redakteurin'),
    /** member of `verwaltung` only. */
    member: person('max.portal@example.org', 'Max', 'Mitglied'),
  };
  let parishSlug: string;
  const ids = { publicPost: '', membersPost: '', alert: '', bookedDay: '' };

  const page = (path: string) => `${base}/t/${tenant.slug}${path}`;
  /** A page's HTML with Handlebars' attribute escapes undone (`=` is written `&#x3D;`). */
  const text = async (response: Response) =>
    (await response.text()).replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

  /** Signs in through the provider's form, starting from a portal page that needs it. */
  async function signIn(who: keyof typeof people, path = '/') {
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
    return { browser, landed };
  }

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Portalhausen');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const member = (who: keyof typeof people) =>
        em.create(MemberSchema, {
          email: people[who].email,
          givenName: people[who].givenName,
          familyName: people[who].familyName,
        });
      const editor = member('editor');
      const max = member('member');
      const group = (key: string, name: string, visibility: 'public' | 'members', urgentAlerts: boolean) => {
        const created = em.create(GroupSchema, {
          key,
          name: { de: name, en: `${name} (en)` },
          visibility,
          joinPolicy: 'open',
        });
        em.create(GroupModuleSchema, {
          group: created,
          module: 'news',
          settings: {
            categories: [{ key: 'allgemein', name: { de: 'Allgemein', en: 'General' } }],
            urgentAlerts,
          },
        });
        em.create(GroupMemberSchema, { group: created, member: editor, role: 'group_admin' });
        return created;
      };
      const neuigkeiten = group('neuigkeiten', 'Neuigkeiten', 'public', true);
      em.create(GroupModuleSchema, { group: neuigkeiten, module: 'discussions', settings: {} });
      const verwaltung = group('verwaltung', 'Verwaltung', 'members', false);
      em.create(GroupMemberSchema, { group: verwaltung, member: max });
      const post = (group: typeof neuigkeiten, title: string, extra: Record<string, unknown> = {}) =>
        em.create(NewsPostSchema, {
          group,
          author: editor,
          categoryKey: 'allgemein',
          title,
          body: `Text von **${title}**`,
          // 17:30 UTC: 18:30 in Berlin, the community's time zone.
          publishAt: new Date('2026-11-20T17:30:00Z'),
          ...extra,
        });
      ids.publicPost = post(neuigkeiten, 'Straßenfest am Samstag', { pinned: true }).id;
      ids.membersPost = post(verwaltung, 'Sitzung des Gemeinderats').id;
      ids.alert = post(neuigkeiten, 'Hochwasser an der Brücke', { urgency: 'urgent' }).id;

      // An event and a call for help in the public group, and the Grillhütte, booked the day
      // after tomorrow (in the community's time zone).
      em.create(GroupModuleSchema, { group: neuigkeiten, module: 'events', settings: {} });
      em.create(GroupModuleSchema, { group: neuigkeiten, module: 'volunteering', settings: {} });
      const soon = DateTime.now().setZone('Europe/Berlin').startOf('day').plus({ days: 3, hours: 19 });
      em.create(EventSchema, {
        group: neuigkeiten,
        author: editor,
        title: 'Laternenumzug',
        description: 'Mit Musik.',
        place: 'Dorfplatz',
        startsAt: soon.toJSDate(),
        endsAt: soon.plus({ hours: 2 }).toJSDate(),
      });
      const call = em.create(VolunteerCallSchema, {
        group: neuigkeiten,
        author: editor,
        title: 'Helfer für den Weihnachtsmarkt',
        body: 'Wir brauchen Hände.',
      });
      em.create(VolunteerShiftSchema, {
        call,
        startsAt: soon.toJSDate(),
        endsAt: soon.plus({ hours: 3 }).toJSDate(),
        helpersNeeded: 4,
      });
      const grill = em.create(GroupSchema, {
        key: 'grillhuette',
        name: { de: 'Grillhütte' },
        visibility: 'public',
        joinPolicy: 'invite',
      });
      em.create(GroupModuleSchema, { group: grill, module: 'booking', settings: {} });
      const hut = em.create(BookableResourceSchema, {
        group: grill,
        key: 'huette',
        name: { de: 'Grillhütte am Wald', en: 'Barbecue hut' },
        minHours: 1,
        maxHours: 48,
        leadTimeDays: 0,
        windowDays: 365,
        approvalRequired: true,
      });
      const booked = DateTime.now().setZone('Europe/Berlin').startOf('day').plus({ days: 2 });
      ids.bookedDay = booked.toUTC().toISO()!;
      em.create(BookingSchema, {
        resource: hut,
        group: grill,
        requester: max,
        startsAt: booked.plus({ hours: 10 }).toJSDate(),
        endsAt: booked.plus({ hours: 22 }).toJSDate(),
        status: 'approved',
        purpose: 'Geburtstag',
        expectedGuests: 20,
        contactPhone: '0123 456',
      });
      await em.flush();
    });
    // Max is in a second community too: the switcher offers it.
    const parish = await createTenant(orm, 'Kirchengemeinde Portalhausen');
    parishSlug = parish.slug;
    await new TenantScope(orm).run(parish.id, async (em) => {
      em.create(MemberSchema, { email: people.member.email, givenName: 'Max', familyName: 'Mitglied' });
      await em.flush();
    });
    ({ app, idp, base } = await startApiWithIdentityProvider(Object.values(people)));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  describe('anonymous residents', () => {
    it('are sent from /t/<slug> to the home page, which shows public news and the alert', async () => {
      const browser = new BrowserSession();
      const bare = await browser.request(`${base}/t/${tenant.slug}`);
      expect(bare.status).toBe(301);
      expect(bare.headers.get('location')).toBe(`/t/${tenant.slug}/`);
      const home = await browser.request(page('/'));
      expect(home.status).toBe(200);
      expect(home.headers.get('content-type')).toContain('text/html');
      const html = await text(home);
      expect(html).toContain('<html lang="de" data-kern-theme="light">');
      expect(html).toContain('Ortsgemeinde Portalhausen');
      expect(html).toContain('Straßenfest am Samstag');
      expect(html).not.toContain('Sitzung des Gemeinderats');
      expect(html).toMatch(/id="alerts"[\s\S]*Hochwasser an der Brücke/);
      expect(html).toContain(`href="/auth/login?returnTo=${encodeURIComponent(`/t/${tenant.slug}/`)}"`);
      // The publishing time in the community's zone, German format.
      expect(html).toContain('Fr., 20. November 2026, 18:30 Uhr');
      expect(html).toMatch(/id="events"[\s\S]*Laternenumzug[\s\S]*Dorfplatz/);
      expect(html).toMatch(/id="calls"[\s\S]*Helfer für den Weihnachtsmarkt[\s\S]*0 von 4 Helfenden/);
      // The Grillhütte's next free days: tomorrow, not the booked day after it.
      const tomorrow = DateTime.now().setZone('Europe/Berlin').startOf('day').plus({ days: 1 });
      expect(html).toContain('Nächste freie Tage: Grillhütte am Wald');
      expect(html).toContain(`<time datetime="${tomorrow.toUTC().toISO()}">`);
      expect(html).not.toContain(`<time datetime="${ids.bookedDay}">`);
      // Reading needs no session: nothing is stored for anonymous readers.
      expect(browser.cookie('127.0.0.1', SESSION_COOKIE)).toBeUndefined();
      expect(html).toContain(`<time datetime="${tomorrow.plus({ days: 2 }).toUTC().toISO()}">`);
    });

    it('read a public group news list and post page, but not a members-only group', async () => {
      const browser = new BrowserSession();
      const list = await browser.request(page('/g/neuigkeiten'));
      expect(list.status).toBe(200);
      const listHtml = await list.text();
      expect(listHtml).toContain(`href="/t/${tenant.slug}/g/neuigkeiten/news/${ids.publicPost}"`);
      expect(listHtml).toContain(`href="/t/${tenant.slug}/g/neuigkeiten/discussions"`);
      expect(listHtml).not.toContain('id="news-form"');
      const post = await browser.request(page(`/g/neuigkeiten/news/${ids.publicPost}`));
      expect(post.status).toBe(200);
      expect(await post.text()).toContain('Text von <strong>Straßenfest am Samstag</strong>');

      const hidden = await browser.request(page('/g/verwaltung'));
      expect(hidden.status).toBe(404);
      expect(await hidden.text()).toContain('Seite nicht gefunden');
      const hiddenPost = await browser.request(page(`/g/verwaltung/news/${ids.membersPost}`));
      expect(hiddenPost.status).toBe(404);
    });

    it("get every module tab the group has, and 404 for modules it lacks or that don't exist", async () => {
      // Every module has portal pages now; the placeholder is left for modules to come.
      const response = await new BrowserSession().request(page('/g/neuigkeiten/discussions'));
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('id="discussions-list"');
      expect((await new BrowserSession().request(page('/g/neuigkeiten/polls'))).status).toBe(404);
      expect((await new BrowserSession().request(page('/g/neuigkeiten/chat'))).status).toBe(404);
    });

    it('are sent to sign in for member pages', async () => {
      const response = await new BrowserSession().request(page('/me/notifications'));
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(
        `/auth/login?returnTo=${encodeURIComponent(`/t/${tenant.slug}/me/notifications`)}`,
      );
    });
  });

  describe('errors, language and headers', () => {
    it('shows the 404 page in German by default and in English by choice', async () => {
      const german = await new BrowserSession().request(page('/g/gibt-es-nicht'));
      expect(german.status).toBe(404);
      expect(german.headers.get('content-type')).toContain('text/html');
      expect(await german.text()).toContain('Seite nicht gefunden');
      const english = await new BrowserSession().request(page('/g/gibt-es-nicht?lang=en'));
      expect(english.status).toBe(404);
      const html = await english.text();
      expect(html).toContain('<html lang="en" data-kern-theme="light">');
      expect(html).toContain('Page not found');
      const unknownTenant = await new BrowserSession().request(`${base}/t/keine-gemeinde-hier/`);
      expect(unknownTenant.status).toBe(404);
      expect(await unknownTenant.text()).toContain('Seite nicht gefunden');
    });

    it('keeps the API answering problem+json', async () => {
      const response = await fetch(`${base}/api/tenants/keine-gemeinde-hier/groups`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    });

    it('remembers the language chosen with the switch', async () => {
      const browser = new BrowserSession();
      const home = await text(await browser.request(page('/')));
      expect(home).toContain(`href="/t/${tenant.slug}/?lang=en"`);
      const english = await browser.request(page('/?lang=en'));
      expect(await english.text()).toContain('Welcome to Ortsgemeinde Portalhausen');
      const later = await (await browser.request(page('/g/neuigkeiten'))).text();
      expect(later).toContain('<html lang="en" data-kern-theme="light">');
      expect(later).toContain('Neuigkeiten (en)');
      const back = await browser.request(page('/?lang=de'));
      expect(await back.text()).toContain('Willkommen bei Ortsgemeinde Portalhausen');
    });

    it('sends helmet headers and a CSP without unsafe-inline scripts', async () => {
      const response = await new BrowserSession().request(page('/'));
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const csp = response.headers.get('content-security-policy')!;
      const scriptSrc = csp.split(';').find((directive) => directive.trim().startsWith('script-src'))!;
      expect(scriptSrc.trim()).toBe("script-src 'self'");
      const html = await response.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\sstyle=/);
    });
  });

  describe('members', () => {
    it('see the home page sections, their groups and members-only news', async () => {
      const { browser, landed } = await signIn('member');
      expect(landed.response.headers.get('cache-control')).toBe('no-store');
      // The parish's member row is linked on the first visit there: the first login's linking
      // (PeopleService.personFor) runs inside this community's scope and sees only its rows
      // (reported: PeopleService should fork with disableContextResolution).
      expect((await browser.request(`${base}/t/${parishSlug}/`)).status).toBe(200);
      const html = await (await browser.request(page('/'))).text();
      expect(html).toContain('Max Mitglied');
      expect(html).toContain('Sitzung des Gemeinderats');
      for (const section of ['id="news"', 'id="calls"', 'id="events"', 'id="groups"', 'id="alerts"'])
        expect(html).toContain(section);
      expect(html).toMatch(
        /Meine Gruppen[\s\S]*Verwaltung[\s\S]*Weitere Gruppen[\s\S]*id="join-neuigkeiten"/,
      );
      expect(html).toContain('id="sign-out"');
      expect(html).toMatch(
        new RegExp(
          `aria-label="Meine Gemeinschaften"[\\s\\S]*href="/t/${parishSlug}/">Kirchengemeinde Portalhausen`,
        ),
      );
    });

    it('join an open group with the join button', async () => {
      const { browser, landed } = await signIn('member');
      const html = await landed.response.text();
      const csrf = formValue(html, '_csrf')!;
      const joined = await browser.request(page('/g/neuigkeiten/join'), { form: { _csrf: csrf } });
      expect(joined.status).toBe(303);
      expect(joined.headers.get('location')).toBe(`/t/${tenant.slug}/?notice=joined`);
      const home = await (await browser.request(page('/?notice=joined'))).text();
      expect(home).toContain('Sie sind jetzt Mitglied der Gruppe.');
      expect(home).toMatch(/Meine Gruppen[\s\S]*Neuigkeiten[\s\S]*Verwaltung/);
    });

    it('write a news post through the form, which appears in the list', async () => {
      const { browser } = await signIn('editor', '/g/neuigkeiten');
      const listPage = await (await browser.request(page('/g/neuigkeiten'))).text();
      expect(listPage).toContain('id="news-form"');
      expect(listPage).toContain('id="news-urgency-urgent"');
      const csrf = formValue(listPage, '_csrf')!;
      const created = await browser.request(page('/g/neuigkeiten/news'), {
        form: {
          _csrf: csrf,
          title: 'Neuer Spielplatz',
          body: 'Er ist **fertig**.',
          category: 'allgemein',
          urgency: 'important',
          pinned: 'on',
        },
      });
      expect(created.status).toBe(303);
      const location = created.headers.get('location')!;
      expect(location).toMatch(new RegExp(`^/t/${tenant.slug}/g/neuigkeiten/news/[0-9a-f-]{36}$`));
      const postPage = await (await browser.request(`${base}${location}`)).text();
      expect(postPage).toContain('Neuer Spielplatz');
      expect(postPage).toContain('Er ist <strong>fertig</strong>.');

      // A refused draft comes back in the form, with what was typed and what is wrong.
      const refused = await browser.request(page('/g/neuigkeiten/news'), {
        form: { _csrf: csrf, title: '', body: 'Mein langer Text', category: 'unbekannt' },
      });
      expect(refused.status).toBe(400);
      const again = await refused.text();
      expect(again).toContain('id="news-form-errors"');
      expect(again).toMatch(/<textarea id="news-body"[^>]*>Mein langer Text<\/textarea>/);
      expect(again).toMatch(/id="news-title"[^>]*aria-invalid="true"/);
      expect(again).toMatch(/id="news-title"[^>]*class="[^"]*kern-form-input__input--error/);
      expect(again).not.toMatch(/id="news-body"[^>]*aria-invalid/);
      // The error summary at the top of the form links to each refused field, in words.
      const summary = (markup: string) => /<div [^>]*id="news-form-errors"[\s\S]*?<\/ul>/.exec(markup)![0];
      expect(summary(again)).toContain('role="alert"');
      expect(summary(again)).toContain(
        '<a class="kern-link" href="#news-title">Titel</a>: Bitte geben Sie einen Titel mit höchstens 200 Zeichen an.',
      );
      expect(summary(again)).not.toContain('href="#news-body"');
      // The service's refusal (a category the group does not have) is linked to its field too.
      const unknownCategory = await browser.request(page('/g/neuigkeiten/news'), {
        form: { _csrf: csrf, title: 'Titel', body: 'Text', category: 'unbekannt' },
      });
      expect(unknownCategory.status).toBe(400);
      const categoryPage = await unknownCategory.text();
      expect(categoryPage).toMatch(/id="news-category"[^>]*aria-invalid="true"/);
      expect(summary(categoryPage)).toContain(
        '<a class="kern-link" href="#news-category">Kategorie</a>: Bitte wählen Sie eine Kategorie dieser Gruppe.',
      );
      expect(summary(categoryPage)).not.toContain('href="#news-title"');

      const anonymousList = await (await new BrowserSession().request(page('/g/neuigkeiten'))).text();
      expect(anonymousList).toContain('Neuer Spielplatz');
    });

    it('refuses a form without the CSRF token (403 page)', async () => {
      const { browser } = await signIn('editor', '/g/neuigkeiten');
      const forged = await browser.request(page('/g/neuigkeiten/news'), {
        form: { title: 'Gefälscht', body: 'x', category: 'allgemein' },
      });
      expect(forged.status).toBe(403);
      expect(await forged.text()).toContain('Keine Berechtigung');
      const list = await (await browser.request(page('/g/neuigkeiten'))).text();
      expect(list).not.toContain('Gefälscht');
    });

    it('let group admins resolve an alert; members do not get the form', async () => {
      const member = await signIn('member', `/g/neuigkeiten/news/${ids.alert}`);
      expect(await member.landed.response.text()).not.toContain('id="resolve-form"');
      const { browser, landed } = await signIn('editor', `/g/neuigkeiten/news/${ids.alert}`);
      const html = await landed.response.text();
      expect(html).toContain('id="resolve-form"');
      // An empty follow-up: the post again, the alert still active, the summary at the field.
      const refused = await browser.request(page(`/g/neuigkeiten/news/${ids.alert}/resolve`), {
        form: { _csrf: formValue(html, '_csrf')!, followUp: '   ' },
      });
      expect(refused.status).toBe(400);
      const refusedPage = await refused.text();
      expect(refusedPage).toMatch(
        /id="resolve-errors"[\s\S]*href="#resolve-follow-up"[\s\S]*wie die Lage jetzt ist/,
      );
      expect(refusedPage).toMatch(/id="resolve-follow-up"[^>]*aria-invalid="true"/);
      expect(refusedPage).toContain('id="resolve-form"');
      const resolved = await browser.request(page(`/g/neuigkeiten/news/${ids.alert}/resolve`), {
        form: { _csrf: formValue(html, '_csrf')!, followUp: 'Das Wasser ist zurückgegangen.' },
      });
      expect(resolved.status).toBe(303);
      const after = await (await browser.request(`${base}${resolved.headers.get('location')!}`)).text();
      expect(after).toContain('Das Wasser ist zurückgegangen.');
      expect(after).not.toContain('id="resolve-form"');
      const home = await (await new BrowserSession().request(page('/'))).text();
      expect(home).not.toContain('id="alerts"');
    });

    it('change their notification preferences through the form', async () => {
      const { browser, landed } = await signIn('member', '/me/notifications');
      const html = await landed.response.text();
      expect(html).toContain('id="preferences-form"');
      const saved = await browser.request(page('/me/notifications'), {
        form: {
          _csrf: formValue(html, '_csrf')!,
          frequency: 'weekly',
          hour: '18',
          weekday: '5',
          mutedGroups: 'verwaltung',
          language: 'en',
          timeZone: '',
        },
      });
      expect(saved.status).toBe(303);
      expect(saved.headers.get('location')).toBe(`/t/${tenant.slug}/me/notifications?saved=1`);
      const after = await (await browser.request(`${base}${saved.headers.get('location')!}`)).text();
      expect(after).toContain('Ihre Einstellungen wurden gespeichert.');
      expect(after).toMatch(/id="frequency-weekly" checked/);
      const memberId = await new TenantScope(orm).run(
        tenant.id,
        async (em) => (await em.findOneOrFail(MemberSchema, { email: people.member.email })).id,
      );
      const stored = await new TenantScope(orm).run(tenant.id, () =>
        app.get(NotificationPreferencesService).get(memberId),
      );
      expect(stored).toMatchObject({
        digest: { frequency: 'weekly', hour: 18, weekday: 5 },
        mutedGroups: ['verwaltung'],
        urgentAlerts: false,
        language: 'en',
        timeZone: null,
        isDefault: false,
      });

      const feed = await browser.request(page('/me/calendar-feed'), {
        form: { _csrf: formValue(after, '_csrf')! },
      });
      expect(feed.status).toBe(200);
      expect(await feed.text()).toMatch(
        new RegExp(`${base}/api/tenants/${tenant.slug}/calendar/[^"]+\\.ics`),
      );
    });
  });
});
