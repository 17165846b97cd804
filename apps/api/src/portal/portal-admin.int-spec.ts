import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AuditEventSchema } from '@allmende/audit';
import { TenantScope } from '@allmende/db';
import { DiscussionCommentSchema, DiscussionThreadSchema } from '@allmende/discussions';
import { startDevIdentityProvider, type DevIdentityProvider } from '@allmende/dev-idp';
import { GroupJoinRequestSchema, GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { freePort } from '@allmende/local-services';
import { MemberSchema, UserSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { createApiApp } from '../create-api-app';
import { BrowserSession, formValue } from '../../../../test/support/browser-session';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { PORTAL_CLIENT, TEST_CLIENT, TEST_PASSWORD } from '../../../../test/support/identity';
import { testConfig } from '../../../../test/support/test-config';

const ADMIN_TOKEN = 'portal-admin-test-token-0123456789';

/**
 * The tenant admin pages (`/t/<slug>/admin/…`) as a browser uses them, with the real API,
 * database, Redis and the dev identity provider, whose user administration plays Keycloak's
 * for invitations (IDENTITY_DIRECTORY=dev).
 */
describe('portal admin pages', () => {
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
    admin: person('anke.verwaltung@example.org', 'Anke', 'Verwaltung'),
    member: person('max.mitglied@example.org', 'Max', 'Mitglied'),
    outsider: person('otto.aussen@example.org', 'Otto', 'Außen'),
  };
  const ids = { admin: '', max: '', olga: '', chor: '', request: '', clara: '' };

  const page = (path: string) => `${base}/t/${tenant.slug}${path}`;
  /** A page's HTML with Handlebars' attribute escapes undone (`=` is written `&#x3D;`). */
  const text = async (response: Response) =>
    (await response.text())
      .replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&')
      .replace(/&#x27;/g, "'");
  const scope = <T>(fn: (em: ReturnType<MikroORM['em']['fork']>) => Promise<T>) =>
    new TenantScope(orm).run(tenant.id, (em) => fn(em as never));
  const memberRow = (email: string) => scope((em) => em.findOne(MemberSchema, { email }, { refresh: true }));

  async function signIn(who: keyof typeof people, path: string) {
    const browser = new BrowserSession();
    const start = await browser.follow(`${base}/auth/login?returnTo=${encodeURIComponent(path)}`);
    const loginPage = await start.response.text();
    const action = /<form[^>]*action="([^"]*)"/.exec(loginPage)![1]!.replace(/&amp;/g, '&');
    const landed = await browser.follow(new URL(action, start.url).href, {
      form: { username: people[who].email, password: TEST_PASSWORD },
    });
    return { browser, landed };
  }

  /** The admin, signed in, on the members page; with the page's CSRF token. */
  async function adminOn(path: string) {
    const { browser, landed } = await signIn('admin', `/t/${tenant.slug}${path}`);
    expect(landed.url).toBe(page(path));
    const html = await text(landed.response);
    return { browser, html, csrf: formValue(html, '_csrf')! };
  }

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Verwaltungshausen');
    const global = orm.em.fork();
    const claraUser = global.create(UserSchema, {
      oidcSubject: `clara-${tenant.slug}`,
      email: 'clara.chor@example.org',
      emailVerified: true,
      displayName: 'Clara Chor',
    });
    await global.flush();
    await scope(async (em) => {
      const admin = em.create(MemberSchema, {
        email: people.admin.email,
        givenName: 'Anke',
        familyName: 'Verwaltung',
        role: 'tenant_admin',
      });
      const max = em.create(MemberSchema, {
        email: people.member.email,
        givenName: 'Max',
        familyName: 'Mitglied',
      });
      const olga = em.create(MemberSchema, {
        email: 'olga.schmidt@example.org',
        givenName: 'Olga',
        familyName: 'Schmidt',
      });
      const clara = em.create(MemberSchema, {
        email: 'clara.chor@example.org',
        givenName: 'Clara',
        familyName: 'Chor',
        userId: claraUser.id,
      });
      // Enough members for a second page (50 a page).
      for (let index = 0; index < 52; index++) {
        em.create(MemberSchema, {
          email: `zz.person${String(index).padStart(2, '0')}@example.org`,
          givenName: 'Person',
          familyName: `Nummer ${index}`,
        });
      }
      // Members first: the join request's composite key points at Clara's row.
      await em.flush();
      const chor = em.create(GroupSchema, {
        key: 'chor',
        name: { de: 'Kirchenchor', en: 'Church choir' },
        visibility: 'members',
        joinPolicy: 'request',
      });
      em.create(GroupModuleSchema, { group: chor, module: 'news', settings: {} });
      em.create(GroupMemberSchema, { group: chor, member: max, role: 'group_admin' });
      const request = em.create(GroupJoinRequestSchema, {
        group: chor,
        userId: claraUser.id,
        memberId: clara.id,
        message: 'Ich singe Alt.',
      });
      // An older audit entry at a known instant: 17:30 UTC is 18:30 in Berlin.
      em.create(AuditEventSchema, {
        action: 'news.post.deleted',
        entityType: 'news_post',
        entityId: chor.id,
        actorMemberId: max.id,
        details: { groupId: chor.id },
      });
      await em.flush();
      Object.assign(ids, {
        admin: admin.id,
        max: max.id,
        olga: olga.id,
        clara: clara.id,
        chor: chor.id,
        request: request.id,
      });
      await em.transactional((tx) =>
        tx.execute(
          `update audit_events set created_at = '2026-11-20T17:30:00Z' where action = 'news.post.deleted'`,
        ),
      );
    });

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startDevIdentityProvider({
      clients: [
        {
          ...PORTAL_CLIENT,
          redirectUris: [`${base}/auth/callback`],
          postLogoutRedirectUris: [`${base}/auth/logged-out`],
        },
        { ...TEST_CLIENT, redirectUris: [], postLogoutRedirectUris: [], directAccessGrants: true },
      ],
      users: Object.values(people).map((user) => ({
        ...user,
        username: user.email,
        password: TEST_PASSWORD,
      })),
      adminToken: ADMIN_TOKEN,
      nodeEnv: 'test',
    });
    app = await createApiApp(
      testConfig({
        KEYCLOAK_URL: idp.url,
        PUBLIC_URL: base,
        IDENTITY_DIRECTORY: 'dev',
        DEV_IDP_ADMIN_TOKEN: ADMIN_TOKEN,
      }),
    );
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  it('gives members no admin pages and no link; anonymous readers sign in; outsiders get 404', async () => {
    const { browser, landed } = await signIn('member', `/t/${tenant.slug}/`);
    const home = await text(landed.response);
    expect(home).toContain('id="me-link"');
    expect(home).not.toContain('id="admin-link"');
    for (const path of [
      '/admin',
      '/admin/members',
      '/admin/groups',
      '/admin/groups/chor',
      '/admin/moderation',
      '/admin/audit',
    ]) {
      const response = await browser.request(page(path));
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('Keine Berechtigung');
    }
    // Forms too, even with a valid token: a group admin is no tenant admin.
    const refused = await browser.request(page(`/admin/members/${ids.max}/role`), {
      form: { _csrf: formValue(home, '_csrf')!, role: 'tenant_admin' },
    });
    expect(refused.status).toBe(403);
    const approve = await browser.request(
      page(`/admin/moderation/chor/join-requests/${ids.request}/approve`),
      {
        form: { _csrf: formValue(home, '_csrf')! },
      },
    );
    expect(approve.status).toBe(403);
    expect((await memberRow(people.member.email))!.role).toBe('member');

    const anonymous = await new BrowserSession().request(page('/admin/members'));
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toContain(
      `/auth/login?returnTo=${encodeURIComponent(`/t/${tenant.slug}/admin/members`)}`,
    );

    const outsider = await signIn('outsider', `/me`);
    expect((await outsider.browser.request(page('/admin'))).status).toBe(404);
  });

  it('shows the admin the link, the overview and the members, searched and paged', async () => {
    const { browser, html } = await adminOn('/admin');
    expect(html).toContain(`href="/t/${tenant.slug}/admin" id="admin-link">Verwaltung</a>`);
    expect(html).toContain('<h1 id="admin-heading" class="kern-heading-large">Verwaltung</h1>');
    expect(html).toContain('Offene Beitrittsanfragen: 1.');

    const all = await text(await browser.request(page('/admin/members')));
    expect(all.match(/<tr id="member-/g)).toHaveLength(50);
    expect(all).toContain(`id="member-${ids.admin}"`);
    expect(all).toMatch(new RegExp(`id="member-status-${ids.olga}"[^>]*>\\s*noch nicht eingeladen`));
    expect(all).toMatch(
      new RegExp(
        `id="member-status-${ids.clara}"[^>]*>\\s*<span class="kern-badge kern-badge--success"><span class="kern-label">angemeldet`,
      ),
    );
    const next = /href="([^"]+)" rel="next" id="members-next"/.exec(all)![1]!;
    const second = await text(await browser.request(new URL(next, base).href));
    expect(second.match(/<tr id="member-/g)).toHaveLength(6);
    expect(second).toContain('zz.person51@example.org');
    expect(second).not.toContain('id="members-next"');

    // By family name, by e-mail, by two words; % is a letter, not a wildcard.
    const bySurname = await text(await browser.request(page('/admin/members?q=schmidt')));
    expect(bySurname.match(/<tr id="member-/g)).toHaveLength(1);
    expect(bySurname).toContain('olga.schmidt@example.org');
    const byEmail = await text(await browser.request(page('/admin/members?q=max.mitglied%40')));
    expect(byEmail.match(/<tr id="member-/g)).toHaveLength(1);
    const byName = await text(await browser.request(page('/admin/members?q=Olga%20Schm')));
    expect(byName).toContain(`id="member-${ids.olga}"`);
    const wildcard = await text(await browser.request(page('/admin/members?q=%25')));
    expect(wildcard).toContain('id="members-empty"');
    expect(wildcard).toContain('Kein Mitglied passt zu „%“.');
  });

  it('changes a role, keeps the last admin, and refuses a form without the CSRF token', async () => {
    const { browser, csrf } = await adminOn('/admin/members');
    // The only admin cannot give up the role: the page again with the reason, nothing changed.
    const last = await browser.request(page(`/admin/members/${ids.admin}/role`), {
      form: { _csrf: csrf, role: 'member' },
    });
    expect(last.status).toBe(409);
    const lastPage = await text(last);
    expect(lastPage).toContain('id="role-errors"');
    expect(lastPage).toContain(`href="#role-${ids.admin}"`);
    expect(lastPage).toContain('mindestens eine Person in der Verwaltung');
    expect((await memberRow(people.admin.email))!.role).toBe('tenant_admin');

    // An unknown role: 400, the page again.
    const bad = await browser.request(page(`/admin/members/${ids.max}/role`), {
      form: { _csrf: csrf, role: 'platform_admin' },
    });
    expect(bad.status).toBe(400);
    expect(await text(bad)).toContain('Bitte wählen Sie eine Rolle.');

    // Without the token: 403, nothing changed.
    const forged = await browser.request(page(`/admin/members/${ids.max}/role`), {
      form: { role: 'tenant_admin' },
    });
    expect(forged.status).toBe(403);
    expect((await memberRow(people.member.email))!.role).toBe('member');

    const promoted = await browser.request(page(`/admin/members/${ids.max}/role`), {
      form: { _csrf: csrf, role: 'tenant_admin' },
    });
    expect(promoted.status).toBe(303);
    expect(promoted.headers.get('location')).toContain('notice=roleChanged');
    expect((await memberRow(people.member.email))!.role).toBe('tenant_admin');
    const after = await text(await browser.request(new URL(promoted.headers.get('location')!, base).href));
    expect(after).toContain('Die Rolle von max.mitglied@example.org wurde geändert.');
    expect(after).toMatch(
      new RegExp(
        `id="role-${ids.max}"[^>]*>\\s*<option value="member">Mitglied</option><option value="tenant_admin" selected>`,
      ),
    );
    // Max sees the admin pages now.
    const max = await signIn('member', `/t/${tenant.slug}/admin`);
    expect(max.landed.response.status).toBe(200);

    const demoted = await browser.request(page(`/admin/members/${ids.max}/role`), {
      form: { _csrf: csrf, role: 'member' },
    });
    expect(demoted.status).toBe(303);
    expect((await memberRow(people.member.email))!.role).toBe('member');
    expect((await max.browser.request(page('/admin'))).status).toBe(403);
  });

  it('invites a new person and an existing member through the identity directory', async () => {
    const { browser, csrf } = await adminOn('/admin/members');
    // A new person needs a given name: the form again with the summary linking to the field.
    const refused = await browser.request(page('/admin/members/invite'), {
      form: { _csrf: csrf, email: 'neu.person@example.org', givenName: '', familyName: 'Neu' },
    });
    expect(refused.status).toBe(400);
    const refusedPage = await text(refused);
    expect(refusedPage).toContain('id="invite-errors"');
    expect(refusedPage).toContain('<a class="kern-link" href="#invite-given-name">Vorname</a>');
    expect(refusedPage).toMatch(/id="invite-given-name"[^>]*aria-invalid="true"/);
    expect(refusedPage).toContain('value="neu.person@example.org"');
    expect(await memberRow('neu.person@example.org')).toBeNull();
    const badEmail = await browser.request(page('/admin/members/invite'), {
      form: { _csrf: csrf, email: 'keine-adresse', givenName: 'X', familyName: '' },
    });
    expect(badEmail.status).toBe(400);
    expect(await text(badEmail)).toContain('<a class="kern-link" href="#invite-email">E-Mail-Adresse</a>');
    expect(idp.actionEmails()).toHaveLength(0);

    const invited = await browser.request(page('/admin/members/invite'), {
      form: { _csrf: csrf, email: 'Neu.Person@example.org', givenName: 'Nora', familyName: 'Neu' },
    });
    expect(invited.status).toBe(303);
    const row = await memberRow('neu.person@example.org');
    expect(row).toMatchObject({ givenName: 'Nora', familyName: 'Neu', role: 'member', userId: null });
    expect(row!.invitedAt).toBeInstanceOf(Date);
    expect(idp.actionEmails().map((mail) => mail.email)).toEqual(['neu.person@example.org']);
    expect(idp.actionEmails()[0]!.redirectUri).toBe(`${base}/me`);
    const listed = await text(await browser.request(new URL(invited.headers.get('location')!, base).href));
    expect(listed).toContain('neu.person@example.org ist jetzt Mitglied und wurde eingeladen.');
    expect(listed).toMatch(new RegExp(`id="member-status-${row!.id}"[^>]*>\\s*eingeladen am`));

    // Olga (a member, never invited): the row's button, then "invite again" (resend).
    const olga = await browser.request(page(`/admin/members/${ids.olga}/invite`), { form: { _csrf: csrf } });
    expect(olga.status).toBe(303);
    expect(olga.headers.get('location')).toContain('notice=invited');
    expect((await memberRow('olga.schmidt@example.org'))!.invitedAt).toBeInstanceOf(Date);
    const olgaPage = await text(await browser.request(page('/admin/members?q=olga')));
    expect(olgaPage).toMatch(
      new RegExp(`id="invite-${ids.olga}"[^>]*><span class="kern-label">Erneut einladen`),
    );
    await browser.request(page(`/admin/members/${ids.olga}/invite`), { form: { _csrf: csrf } });
    expect(idp.actionEmails().filter((mail) => mail.email === 'olga.schmidt@example.org')).toHaveLength(2);
    // By the form, without "again": invited already, nothing sent.
    const again = await browser.request(page('/admin/members/invite'), {
      form: { _csrf: csrf, email: 'olga.schmidt@example.org', givenName: '', familyName: '' },
    });
    expect(again.headers.get('location')).toContain('notice=already_invited');
    expect(idp.actionEmails()).toHaveLength(3);
    // Clara has signed in: no button, and the form sends nothing.
    const clara = await text(await browser.request(page('/admin/members?q=clara')));
    expect(clara).not.toContain(`id="invite-${ids.clara}"`);
    const signedIn = await browser.request(page('/admin/members/invite'), {
      form: { _csrf: csrf, email: 'clara.chor@example.org', givenName: '', familyName: '' },
    });
    expect(signedIn.headers.get('location')).toContain('notice=signed_in');
    expect(idp.actionEmails()).toHaveLength(3);
  });

  it("edits a group's settings; a refused form is shown again and changes nothing", async () => {
    const { browser, html } = await adminOn('/admin/groups');
    expect(html).toContain('id="admin-group-chor"');
    expect(html).toContain(
      '<td id="group-visibility-chor" class="kern-table__cell">Mitglieder der Gemeinschaft</td>',
    );
    expect(html).toContain('<td id="group-join-policy-chor" class="kern-table__cell">Auf Anfrage</td>');
    const form = await text(await browser.request(page('/admin/groups/chor')));
    const csrf = formValue(form, '_csrf')!;
    expect(form).toMatch(/id="group-visibility-members"[^>]*checked/);
    expect(form).toContain('value="Kirchenchor"');

    const refused = await browser.request(page('/admin/groups/chor'), {
      form: {
        _csrf: csrf,
        nameDe: '',
        nameEn: 'Church choir',
        descriptionDe: '',
        descriptionEn: 'Only English',
        visibility: 'geheim',
        joinPolicy: 'request',
      },
    });
    expect(refused.status).toBe(400);
    const refusedPage = await text(refused);
    expect(refusedPage).toContain('id="group-form-errors"');
    expect(refusedPage).toContain('<a class="kern-link" href="#group-name-de">Name (deutsch)</a>');
    expect(refusedPage).toContain(
      '<a class="kern-link" href="#group-description-de">Beschreibung (deutsch)</a>',
    );
    expect(refusedPage).toContain('<a class="kern-link" href="#group-visibility-public">Sichtbarkeit</a>');
    expect(refusedPage).toMatch(/id="group-name-de"[^>]*aria-invalid="true"/);
    expect(refusedPage).toContain('Only English');
    const unchanged = await scope((em) => em.findOneOrFail(GroupSchema, { key: 'chor' }, { refresh: true }));
    expect(unchanged).toMatchObject({
      visibility: 'members',
      name: { de: 'Kirchenchor', en: 'Church choir' },
    });

    const saved = await browser.request(page('/admin/groups/chor'), {
      form: {
        _csrf: csrf,
        nameDe: 'Kirchenchor St. Martin',
        nameEn: 'Church choir',
        descriptionDe: 'Proben donnerstags um 19 Uhr.',
        descriptionEn: '',
        visibility: 'public',
        joinPolicy: 'open',
      },
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/t/${tenant.slug}/admin/groups/chor?saved=1`);
    const group = await scope((em) => em.findOneOrFail(GroupSchema, { key: 'chor' }, { refresh: true }));
    expect(group).toMatchObject({
      visibility: 'public',
      joinPolicy: 'open',
      name: { de: 'Kirchenchor St. Martin', en: 'Church choir' },
      description: { de: 'Proben donnerstags um 19 Uhr.' },
    });
    const again = await text(await browser.request(page('/admin/groups/chor?saved=1')));
    expect(again).toContain('id="group-saved"');
    // Public now: readable without signing in.
    expect((await new BrowserSession().request(page('/g/chor'))).status).toBe(200);
    // Visibility back, for the other tests' sake (members only); an unknown group is 404.
    await browser.request(page('/admin/groups/chor'), {
      form: {
        _csrf: csrf,
        nameDe: 'Kirchenchor St. Martin',
        nameEn: 'Church choir',
        visibility: 'members',
        joinPolicy: 'request',
      },
    });
    expect((await new BrowserSession().request(page('/g/chor'))).status).toBe(404);
    expect((await browser.request(page('/admin/groups/gibtsnicht'))).status).toBe(404);
  });

  it('approves a join request from the moderation queue', async () => {
    const { browser, html } = await adminOn('/admin/moderation');
    expect(html).toContain(`id="join-request-${ids.request}"`);
    expect(html).toContain('Clara Chor möchte beitreten:');
    expect(html).toContain('Ich singe Alt.');
    const approved = await browser.request(
      page(`/admin/moderation/chor/join-requests/${ids.request}/approve`),
      {
        form: { _csrf: formValue(html, '_csrf')! },
      },
    );
    expect(approved.status).toBe(303);
    const queue = await text(await browser.request(new URL(approved.headers.get('location')!, base).href));
    expect(queue).toContain('id="moderation-decided"');
    expect(queue).toContain('id="join-requests-empty"');
    const { request, membership } = await scope(async (em) => ({
      request: await em.findOneOrFail(GroupJoinRequestSchema, { id: ids.request }, { refresh: true }),
      membership: await em.findOne(GroupMemberSchema, { group: ids.chor, member: ids.clara }),
    }));
    expect(request).toMatchObject({ status: 'approved', decidedByMemberId: ids.admin });
    expect(membership).not.toBeNull();
    // Decided already: 409; not a request id: 404.
    const twice = await browser.request(page(`/admin/moderation/chor/join-requests/${ids.request}/decline`), {
      form: { _csrf: formValue(html, '_csrf')! },
    });
    expect(twice.status).toBe(409);
    const notAnId = await browser.request(page('/admin/moderation/chor/join-requests/123/approve'), {
      form: { _csrf: formValue(html, '_csrf')! },
    });
    expect(notAnId.status).toBe(404);
  });

  it('reads the audit log, newest first, in the community’s time zone, paged', async () => {
    const { browser, html } = await adminOn('/admin/audit');
    const actions = [...html.matchAll(/<tr id="audit-[^"]+" data-action="([^"]+)"/g)].map(
      (match) => match[1],
    );
    // The tests above, newest first; the seeded entry of 20 November last.
    expect(actions).toEqual([
      'groups.join.approved',
      'groups.group.updated',
      'groups.group.updated',
      'members.member.invited',
      'members.member.invited',
      'members.member.invited',
      'members.member.added',
      'members.role.changed',
      'members.role.changed',
      'news.post.deleted',
    ]);
    expect(html).toContain('Beitritt angenommen');
    expect(html).toContain('Gruppeneinstellungen geändert');
    expect(html).toContain('<li>Sichtbarkeit: Mitglieder der Gemeinschaft → Öffentlich</li>');
    expect(html).toContain('<li>Beitritt: Auf Anfrage → Offen</li>');
    expect(html).toContain('<li>Rolle: Mitglied → Verwaltung</li>');
    expect(html).toContain('Mitglied eingeladen');
    expect(html).toContain('<span class="audit-member">Nora Neu</span>');
    expect(html).toContain('<td class="kern-table__cell">Anke Verwaltung</td>');
    // 17:30 UTC, shown as 18:30 in Berlin; by Max.
    const seeded = /<tr id="audit-[^"]+" data-action="news.post.deleted"[^>]*>([\s\S]*?)<\/tr>/.exec(
      html,
    )![1]!;
    expect(seeded).toContain('datetime="2026-11-20T17:30:00.000Z"');
    expect(seeded).toContain('18:30');
    expect(seeded).toContain('<td class="kern-table__cell">Max Mitglied</td>');
    expect(seeded).toContain('Beitrag gelöscht');
    expect(seeded).toContain('Kirchenchor St. Martin');

    // Paged: 50 a page, the older entries behind a link.
    await scope(async (em) => {
      for (let index = 0; index < 45; index++)
        em.create(AuditEventSchema, { action: 'seed.filler', entityType: 'group', entityId: ids.chor });
      await em.flush();
    });
    const first = await text(await browser.request(page('/admin/audit')));
    expect(first.match(/<tr id="audit-/g)).toHaveLength(50);
    expect(first).toContain('<code>seed.filler</code>');
    const older = /href="([^"]+)" rel="next" id="audit-older"/.exec(first)![1]!;
    const second = await text(await browser.request(new URL(older, base).href));
    expect(second.match(/<tr id="audit-/g)).toHaveLength(5);
    expect(second).toContain('data-action="news.post.deleted"');
    expect(second).toContain('id="audit-newest"');
    // In English, too.
    const english = await text(await browser.request(page('/admin/audit?lang=en')));
    expect(english).toContain('<h1 id="admin-heading" class="kern-heading-large">Log</h1>');
  });

  // After the audit log test, which lists the actions of the tests before it.
  it('lists hidden discussion threads and comments in the moderation queue, and shows one again', async () => {
    const hidden = await scope(async (em) => {
      const treff = em.create(GroupSchema, {
        key: 'treff',
        name: { de: 'Dorftreff', en: 'Village meeting' },
        visibility: 'members',
        joinPolicy: 'open',
      });
      em.create(GroupModuleSchema, { group: treff, module: 'discussions', settings: {} });
      await em.flush();
      const thread = em.create(DiscussionThreadSchema, {
        group: treff,
        author: ids.olga,
        title: 'Parkplatz am Bürgerhaus',
        body: 'Wer parkt da ständig falsch?',
        lastActivityAt: new Date(),
        hiddenAt: new Date(Date.now() - 60_000),
        hiddenByMemberId: ids.max,
      });
      const visible = em.create(DiscussionThreadSchema, {
        group: treff,
        author: ids.max,
        title: 'Sommerfest',
        body: 'Wer hilft beim Aufbau?',
        lastActivityAt: new Date(),
      });
      await em.flush();
      const comment = em.create(DiscussionCommentSchema, {
        thread: visible,
        author: ids.olga,
        body: `Unfreundlich 😠 ${'und lang '.repeat(40)}`,
        hiddenAt: new Date(),
        hiddenByMemberId: ids.max,
      });
      await em.flush();
      return { thread: thread.id, visible: visible.id, comment: comment.id };
    });

    const { browser, html } = await adminOn('/admin/moderation');
    const list = html.slice(html.indexOf('id="hidden-list"'));
    // Newest first: the comment (hidden just now), then the thread (a minute ago).
    expect(list.indexOf(`id="hidden-${hidden.comment}"`)).toBeGreaterThan(-1);
    expect(list.indexOf(`id="hidden-${hidden.comment}"`)).toBeLessThan(
      list.indexOf(`id="hidden-${hidden.thread}"`),
    );
    expect(list).toContain('Parkplatz am Bürgerhaus');
    expect(list).toContain('ausgeblendet von Max Mitglied');
    expect(list).toContain(
      `href="/t/${tenant.slug}/g/treff/discussions/${hidden.visible}#comment-${hidden.comment}"`,
    );
    // The excerpt is cut at a character, with an ellipsis.
    expect(list).toMatch(/Unfreundlich 😠 (und lang )+und[^<]*…<\/blockquote>/);
    // The comment's thread is shown as its context, not as hidden itself.
    expect(list).not.toContain(`id="hidden-${hidden.visible}"`);

    const shown = await browser.request(page(`/g/treff/discussions/${hidden.thread}/unhide`), {
      form: { _csrf: formValue(html, '_csrf')! },
    });
    expect(shown.status).toBe(303);
    expect(shown.headers.get('location')).toContain(`/g/treff/discussions/${hidden.thread}`);
    const after = await text(await browser.request(page('/admin/moderation')));
    expect(after).not.toContain(`id="hidden-${hidden.thread}"`);
    expect(after).toContain(`id="hidden-${hidden.comment}"`);
    const thread = await scope((em) =>
      em.findOneOrFail(DiscussionThreadSchema, { id: hidden.thread }, { refresh: true }),
    );
    expect(thread.hiddenAt).toBeNull();
  });
});
