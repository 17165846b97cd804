import type { BrowserContext, Page } from 'playwright-core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AuditEventSchema } from '@allmende/audit';
import { TenantScope } from '@allmende/db';
import { GroupJoinRequestSchema, GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema, UserSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../support/fixtures';
import { checkA11y, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser-app';

const ADMIN = {
  email: 'hanna.verwaltung@example.org',
  emailVerified: true,
  givenName: 'Hanna',
  familyName: 'Verwaltung',
};

/** The tenant admin pages in a real browser (issue 8): members, groups, requests, log; axe and screenshots. */
describe('tenant admin pages in the browser', () => {
  let env: BrowserApp;
  let orm: MikroORM;
  let context: BrowserContext;
  let page: Page;
  let tenant: Tenant;

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Ransbach-Musterdorf');
    const global = orm.em.fork();
    const asking = global.create(UserSchema, {
      oidcSubject: `asking-${tenant.slug}`,
      email: 'paul.neu@example.org',
      emailVerified: true,
      displayName: 'Paul Neu',
    });
    await global.flush();
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const hanna = em.create(MemberSchema, {
        email: ADMIN.email,
        givenName: ADMIN.givenName,
        familyName: ADMIN.familyName,
        role: 'tenant_admin',
        phone: '02623 9999',
      });
      const people = [
        ['erika.mustermann@example.org', 'Erika', 'Mustermann'],
        ['jonas.becker@example.org', 'Jonas', 'Becker'],
        ['leonie.schaefer@example.org', 'Leonie', 'Schäfer'],
        ['mehmet.yilmaz@example.org', 'Mehmet', 'Yılmaz'],
      ].map(([email, givenName, familyName], index) =>
        em.create(MemberSchema, {
          email: email!,
          givenName: givenName!,
          familyName: familyName!,
          invitedAt: index % 2 === 0 ? new Date('2026-11-02T09:15:00Z') : null,
        }),
      );
      await em.flush();
      const feuerwehr = em.create(GroupSchema, {
        key: 'feuerwehr',
        name: { de: 'Freiwillige Feuerwehr', en: 'Volunteer fire brigade' },
        description: { de: 'Übungsabende jeden zweiten Dienstag.' },
        visibility: 'members',
        joinPolicy: 'request',
        position: 1,
      });
      const neuigkeiten = em.create(GroupSchema, {
        key: 'neuigkeiten',
        name: { de: 'Neuigkeiten' },
        visibility: 'public',
        joinPolicy: 'open',
        position: 0,
      });
      em.create(GroupModuleSchema, { group: neuigkeiten, module: 'news', settings: {} });
      em.create(GroupModuleSchema, { group: feuerwehr, module: 'news', settings: {} });
      em.create(GroupMemberSchema, { group: feuerwehr, member: people[1]!, role: 'group_admin' });
      em.create(GroupJoinRequestSchema, {
        group: feuerwehr,
        userId: asking.id,
        message: 'Ich bin neu im Dorf und möchte bei der Feuerwehr mitmachen.',
      });
      em.create(AuditEventSchema, {
        action: 'news.post.deleted',
        entityType: 'news_post',
        entityId: neuigkeiten.id,
        actorMemberId: hanna.id,
        details: { groupId: neuigkeiten.id },
      });
      await em.flush();
    });
    env = await startBrowserApp([ADMIN]);
    context = await env.browser.newContext({ locale: 'de-DE' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await env?.stop();
    await orm?.close();
  });

  it('opens the admin area, searches members, changes a group setting and reads the log', async () => {
    const base = `${env.base}/t/${tenant.slug}`;
    await signIn(page, env.base, ADMIN.email);
    await page.goto(`${base}/`);
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('#admin-link')]);
    expect(await page.textContent('#admin-pending-count')).toContain('1');
    await checkA11y(page, 'admin-home');

    await Promise.all([page.waitForURL(`${base}/admin/members`), page.click('#admin-nav-members')]);
    expect(await page.locator('#members-list tbody tr').count()).toBe(5);
    await checkA11y(page, 'admin-members');
    await screenshot(page, 'admin-members');
    await page.fill('#members-q', 'schäfer');
    await Promise.all([page.waitForURL(/q=sch/), page.click('#members-search-submit')]);
    expect(await page.locator('#members-list tbody tr').count()).toBe(1);
    // A refused invitation (no given name for a new person): the summary, focusable and linked.
    await page.fill('#invite-email', 'noch.niemand@example.org');
    await Promise.all([page.waitForLoadState('load'), page.click('#invite-submit')]);
    expect(await page.textContent('#invite-errors')).toContain('Vorname');
    await checkA11y(page, 'admin-members-refused');
    // This app has no identity directory: the form again, saying so; nobody was added.
    await page.fill('#invite-given-name', 'Noch');
    await Promise.all([page.waitForLoadState('load'), page.click('#invite-submit')]);
    expect(await page.textContent('#invite-errors')).toContain('nicht eingerichtet');
    expect(await page.inputValue('#invite-email')).toBe('noch.niemand@example.org');

    await page.goto(`${base}/admin/groups`);
    await checkA11y(page, 'admin-groups');
    await Promise.all([
      page.waitForURL(`${base}/admin/groups/feuerwehr`),
      page.click('#edit-group-feuerwehr'),
    ]);
    await checkA11y(page, 'admin-group');
    await page.check('#group-join-open');
    await page.check('#group-visibility-public');
    await Promise.all([page.waitForURL(/saved=1$/), page.click('#group-submit')]);
    expect(await page.isChecked('#group-visibility-public')).toBe(true);
    expect(await page.textContent('#group-saved')).toContain('gespeichert');
    // A refused form: the German name emptied.
    await page.fill('#group-name-de', '');
    // The browser's own check would stop the form first: this is the server's refusal.
    await page.locator('#group-name-de').evaluate((field) => field.removeAttribute('required'));
    await Promise.all([page.waitForLoadState('load'), page.click('#group-submit')]);
    expect(await page.textContent('#group-form-errors')).toContain('Name (deutsch)');
    await checkA11y(page, 'admin-group-refused');

    await page.goto(`${base}/admin/moderation`);
    await checkA11y(page, 'admin-moderation');

    await page.goto(`${base}/admin/audit`);
    const first = page.locator('#audit-list tbody tr').first();
    expect(await first.getAttribute('data-action')).toBe('groups.group.updated');
    expect(await first.textContent()).toContain('Sichtbarkeit: Mitglieder der Gemeinschaft → Öffentlich');
    await checkA11y(page, 'admin-audit');
    await screenshot(page, 'admin-audit');
  });
});
