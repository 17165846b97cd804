import type { BrowserContext, Page } from 'playwright-core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { TenantScope } from '@allmende/db';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { PollOptionSchema, PollSchema } from '@allmende/polls';
import { createTenant, openOrm } from '../support/fixtures';
import { checkA11y, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser-app';

const ADMIN = {
  email: 'anke.admin@example.org',
  emailVerified: true,
  givenName: 'Anke',
  familyName: 'Admin',
};

/** A date poll in a real browser (issue 8): the answer grid, then finalising; axe and screenshots. */
describe('polls in the browser', () => {
  let env: BrowserApp;
  let orm: MikroORM;
  let context: BrowserContext;
  let page: Page;
  let slug: string;
  const ids = { poll: '', first: '', second: '' };

  beforeAll(async () => {
    orm = await openOrm();
    const tenant = await createTenant(orm, 'Ortsgemeinde Umfragehausen');
    slug = tenant.slug;
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const anke = em.create(MemberSchema, { email: ADMIN.email, givenName: 'Anke', familyName: 'Admin' });
      const chor = em.create(GroupSchema, {
        key: 'chor',
        name: { de: 'Chor' },
        visibility: 'public',
        joinPolicy: 'invite',
      });
      em.create(GroupModuleSchema, { group: chor, module: 'polls', settings: {} });
      em.create(GroupModuleSchema, { group: chor, module: 'events', settings: {} });
      em.create(GroupMemberSchema, { group: chor, member: anke, role: 'group_admin' });
      const poll = em.create(PollSchema, {
        group: chor,
        author: anke,
        title: 'Probe vor dem Konzert',
        description: 'Wann passt es **euch**?',
      });
      const option = (days: number, position: number) => {
        const start = DateTime.now().setZone('Europe/Berlin').startOf('day').plus({ days, hours: 19 });
        return em.create(PollOptionSchema, {
          poll,
          position,
          startsAt: start.toJSDate(),
          endsAt: start.plus({ hours: 2 }).toJSDate(),
        });
      };
      ids.poll = poll.id;
      ids.first = option(10, 0).id;
      ids.second = option(11, 1).id;
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

  it('answers in the grid and finalises the poll into an event', async () => {
    await signIn(page, env.base, ADMIN.email);
    await page.goto(`${env.base}/t/${slug}/g/chor/polls`);
    await checkA11y(page, 'polls-list');
    await Promise.all([page.waitForURL(/\/polls\/[0-9a-f-]{36}$/), page.click(`#poll-${ids.poll} a`)]);
    await page.check(`#answer-${ids.first}-yes`);
    await page.check(`#answer-${ids.second}-no`);
    await Promise.all([page.waitForURL(/#answers$/), page.click('#answers-submit')]);
    expect(await page.textContent(`#option-${ids.first}-yes`)).toBe('1');
    await checkA11y(page, 'polls-poll');
    await screenshot(page, 'polls-poll');
    await page.selectOption('#finalise-option', ids.first);
    await page.fill('#finalise-place', 'Kirche');
    await Promise.all([page.waitForURL(/\/polls\/[0-9a-f-]{36}$/), page.click('#finalise-submit')]);
    await page.locator('#option-final').waitFor();
    await checkA11y(page, 'polls-finalised');
  });
});
