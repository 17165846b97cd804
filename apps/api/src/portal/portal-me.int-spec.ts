import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { BrowserSession, formValue } from '../../../../test/support/browser-session';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { startApiWithIdentityProvider, TEST_PASSWORD } from '../../../../test/support/identity';

/** "Mein Bereich" (`/t/<slug>/me`): profile, roles, communities, notifications and calendar links. */
describe('portal me page', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let tenant: Tenant;
  let other: Tenant;
  const person = {
    email: 'maria.mitte@example.org',
    givenName: 'Maria',
    familyName: 'Mitte',
    emailVerified: true,
  };
  const outsider = {
    email: 'otto.aussen@example.org',
    givenName: 'Otto',
    familyName: 'Außen',
    emailVerified: true,
  };

  const page = (slug: string, path: string) => `${base}/t/${slug}${path}`;
  const html = async (response: Response) =>
    (await response.text()).replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

  async function signIn(who: { email: string }, path: string) {
    const browser = new BrowserSession();
    const start = await browser.follow(`${base}/auth/login?returnTo=${encodeURIComponent(path)}`);
    const loginPage = await start.response.text();
    const action = /<form[^>]*action="([^"]*)"/.exec(loginPage)![1]!.replace(/&amp;/g, '&');
    const landed = await browser.follow(new URL(action, start.url).href, {
      form: { username: who.email, password: TEST_PASSWORD },
    });
    return { browser, landed };
  }

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Mittendrin');
    other = await createTenant(orm, 'Sportverein Mittendrin');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const member = em.create(MemberSchema, {
        email: person.email,
        givenName: person.givenName,
        familyName: person.familyName,
        phone: '02623 1234',
        role: 'tenant_admin',
      });
      const group = (key: string, role: 'group_admin' | 'member' | null) => {
        const created = em.create(GroupSchema, {
          key,
          name: { de: `Gruppe ${key}` },
          visibility: 'public',
          joinPolicy: 'open',
        });
        em.create(GroupModuleSchema, { group: created, module: 'news', settings: {} });
        if (role) em.create(GroupMemberSchema, { group: created, member, role });
        return created;
      };
      group('feuerwehr', 'group_admin');
      group('chor', 'member');
      group('fremd', null);
      await em.flush();
    });
    await new TenantScope(orm).run(other.id, async (em) => {
      em.create(MemberSchema, {
        email: person.email,
        givenName: person.givenName,
        familyName: person.familyName,
      });
      await em.flush();
    });
    ({ app, idp, base } = await startApiWithIdentityProvider([person, outsider]));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  it('shows the profile, the roles in the community and its groups, and the communities of the login', async () => {
    const { browser, landed } = await signIn(person, `/t/${tenant.slug}/me`);
    expect(landed.url).toBe(page(tenant.slug, '/me'));
    expect(landed.response.status).toBe(200);
    expect(landed.response.headers.get('cache-control')).toBe('no-store');
    const me = await html(landed.response);
    expect(me).toContain('<h1 id="me-heading" class="kern-heading-large">Mein Bereich</h1>');
    expect(me).toContain('<dd id="me-name" class="kern-description-list-item__value">Maria Mitte</dd>');
    expect(me).toContain(person.email);
    expect(me).toContain('id="me-email-verified"');
    expect(me).toContain('<dd id="me-phone" class="kern-description-list-item__value">02623 1234</dd>');
    expect(me).toContain('<dd id="me-role" class="kern-description-list-item__value">Verwaltung</dd>');
    expect(me).toMatch(
      /id="me-group-feuerwehr"><a class="kern-link" href="[^"]+">Gruppe feuerwehr<\/a> \(Gruppenleitung\)/,
    );
    expect(me).toMatch(/id="me-group-chor"><a class="kern-link" href="[^"]+">Gruppe chor<\/a> \(Mitglied\)/);
    expect(me).not.toContain('id="me-group-fremd"');
    expect(me).toContain(`id="me-community-${tenant.slug}"><span aria-current="true">`);
    expect(me).toContain(
      `id="me-community-${other.slug}"><a class="kern-link" href="/t/${other.slug}/">Sportverein Mittendrin</a>`,
    );
    expect(me).toContain(`href="/t/${tenant.slug}/me/notifications" id="me-notifications-link"`);
    expect(me).toContain(`action="/t/${tenant.slug}/me/calendar-feed" id="me-calendar-form"`);
    // The header links to the page on every community page.
    expect(me).toContain(`href="/t/${tenant.slug}/me" id="me-link">Mein Bereich</a>`);

    // The calendar form uses the notifications page's route: a new secret URL, shown once.
    const csrf = formValue(me, '_csrf')!;
    const rotated = await html(
      await browser.request(page(tenant.slug, '/me/calendar-feed'), { form: { _csrf: csrf } }),
    );
    expect(rotated).toMatch(
      new RegExp(
        `id="feed-url" type="text" readonly value="[^"]*/api/tenants/${tenant.slug}/calendar/[^"]+\\.ics"`,
      ),
    );

    // In the other community: plain member, no groups; English when chosen.
    const second = await html(await browser.request(page(other.slug, '/me?lang=en')));
    expect(second).toContain('<h1 id="me-heading" class="kern-heading-large">My page</h1>');
    expect(second).toContain('<dd id="me-role" class="kern-description-list-item__value">Member</dd>');
    expect(second).toContain('<dd id="me-phone" class="kern-description-list-item__value">not given</dd>');
    expect(second).toContain('id="me-no-groups"');
  });

  it('sends anonymous readers to sign in and answers 404 to people outside the community', async () => {
    const anonymous = await new BrowserSession().request(page(tenant.slug, '/me'));
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toContain(
      `/auth/login?returnTo=${encodeURIComponent(`/t/${tenant.slug}/me`)}`,
    );

    const { browser } = await signIn(outsider, '/me');
    expect((await browser.request(page(tenant.slug, '/me'))).status).toBe(404);
  });
});
