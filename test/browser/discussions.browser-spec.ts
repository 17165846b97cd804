import type { BrowserContext, Page } from 'playwright-core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import { DiscussionCommentSchema, DiscussionThreadSchema } from '@allmende/discussions';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { createTenant, openOrm } from '../support/fixtures';
import { checkA11y, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser-app';

const MEMBER = {
  email: 'wilma.wortmeldung@example.org',
  emailVerified: true,
  givenName: 'Wilma',
  familyName: 'Wortmeldung',
};
const NEIGHBOUR = {
  email: 'bernd.beitrag@example.org',
  emailVerified: true,
  givenName: 'Bernd',
  familyName: 'Beitrag',
};

/** Discussions in a real browser (issue 8): the list, a thread, a new comment; axe and screenshots. */
describe('discussions in the browser', () => {
  let env: BrowserApp;
  let orm: MikroORM;
  let context: BrowserContext;
  let page: Page;
  let slug: string;
  let threadId: string;

  beforeAll(async () => {
    orm = await openOrm();
    const tenant = await createTenant(orm, 'Ortsgemeinde Gesprächshausen');
    slug = tenant.slug;
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const wilma = em.create(MemberSchema, {
        email: MEMBER.email,
        givenName: 'Wilma',
        familyName: 'Wortmeldung',
      });
      const bernd = em.create(MemberSchema, {
        email: NEIGHBOUR.email,
        givenName: 'Bernd',
        familyName: 'Beitrag',
      });
      const garten = em.create(GroupSchema, {
        key: 'gartenfreunde',
        name: { de: 'Gartenfreunde', en: 'Garden friends' },
        visibility: 'public',
        joinPolicy: 'invite',
      });
      em.create(GroupModuleSchema, { group: garten, module: 'discussions', settings: {} });
      em.create(GroupMemberSchema, { group: garten, member: wilma });
      em.create(GroupMemberSchema, { group: garten, member: bernd, role: 'group_admin' });
      const hourAgo = new Date(Date.now() - 3600_000);
      const thread = em.create(DiscussionThreadSchema, {
        group: garten,
        author: bernd,
        title: 'Wühlmäuse im Gemüsebeet',
        body: 'Was hilft bei Ihnen gegen **Wühlmäuse**? Ich habe schon Knoblauch gesetzt.',
        createdAt: hourAgo,
        lastActivityAt: hourAgo,
        commentCount: 1,
      });
      threadId = thread.id;
      em.create(DiscussionCommentSchema, {
        thread,
        author: wilma,
        body: 'Bei uns haben *Drahtkörbe* um die Wurzeln geholfen.',
        createdAt: hourAgo,
      });
      const older = new Date(Date.now() - 86_400_000);
      em.create(DiscussionThreadSchema, {
        group: garten,
        author: wilma,
        title: 'Saatgut-Tausch im Frühjahr',
        body: 'Wer hat Lust auf einen Tauschtisch im März?',
        createdAt: older,
        lastActivityAt: older,
      });
      await em.flush();
    });
    env = await startBrowserApp([MEMBER, NEIGHBOUR]);
    context = await env.browser.newContext({ locale: 'de-DE' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await env?.stop();
    await orm?.close();
  });

  it('lets a member open a thread, write a comment and see it', async () => {
    await signIn(page, env.base, MEMBER.email);
    const list = await page.goto(`${env.base}/t/${slug}/g/gartenfreunde/discussions`);
    expect(list?.status()).toBe(200);
    await checkA11y(page, 'discussions-list');
    await screenshot(page, 'discussions-list');

    await Promise.all([
      page.waitForURL(new RegExp(`/discussions/${threadId}$`)),
      page.click(`#thread-${threadId} a`),
    ]);
    expect(await page.textContent('#thread-heading')).toBe('Wühlmäuse im Gemüsebeet');
    await checkA11y(page, 'discussions-thread');

    await page.fill('#comment-body', 'Danke! Ich probiere es mit **Körben**.');
    await Promise.all([page.waitForURL(/#comment-[0-9a-f-]{36}$/), page.click('#comment-submit')]);
    const anchor = new URL(page.url()).hash.slice(1);
    expect(await page.textContent(`#${anchor}-body`)).toContain('Danke! Ich probiere es mit Körben.');
    expect(await page.textContent(`#${anchor}-body strong`)).toBe('Körben');
    expect(await page.inputValue('#comment-body')).toBe('');

    await Promise.all([page.waitForURL(/#thread$/), page.click('#thank-thread-submit')]);
    expect(await page.textContent('#thread-thanks')).toBe('Danke: 1');
    await checkA11y(page, 'discussions-thread-commented');
    await page.goto(`${env.base}/t/${slug}/g/gartenfreunde/discussions/${threadId}`);
    await screenshot(page, 'discussions-thread');
  });
});
