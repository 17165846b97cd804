import type { BrowserContext, Page } from 'playwright-core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { TenantScope } from '@allmende/db';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { VolunteerCallSchema, VolunteerShiftSchema } from '@allmende/volunteering';
import { expectJson, tenantApi } from '../support/api-client';
import { createTenant, openOrm } from '../support/fixtures';
import { checkA11y, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser-app';

const PEOPLE = {
  mayor: {
    email: 'bernd.buergermeister@example.org',
    emailVerified: true,
    givenName: 'Bernd',
    familyName: 'Bürgermeister',
  },
  member: {
    email: 'lena.leserin@example.org',
    emailVerified: true,
    givenName: 'Lena',
    familyName: 'Leserin',
  },
};

/**
 * A member's journey in a real browser (issue 8): sign in, read the news with the urgent
 * banner, change the digest preferences, switch the language and back, "Mein Bereich", and a
 * resident without login reading the public news. axe on every page; screenshots.
 */
describe('a member journey in the browser', () => {
  let env: BrowserApp;
  let orm: MikroORM;
  let context: BrowserContext;
  let page: Page;
  let slug: string;
  let postId: string;
  const ids = { call: '', shift: '' };
  const call = tenantApi(
    () => env,
    PEOPLE,
    () => slug,
  );

  beforeAll(async () => {
    orm = await openOrm();
    const tenant = await createTenant(orm, 'Ortsgemeinde Lesedorf');
    slug = tenant.slug;
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const mayor = em.create(MemberSchema, {
        email: PEOPLE.mayor.email,
        givenName: 'Bernd',
        familyName: 'Bürgermeister',
      });
      const member = em.create(MemberSchema, {
        email: PEOPLE.member.email,
        givenName: 'Lena',
        familyName: 'Leserin',
      });
      const rathaus = em.create(GroupSchema, {
        key: 'rathaus',
        name: { de: 'Rathaus', en: 'Town hall' },
        visibility: 'public',
        joinPolicy: 'invite',
      });
      em.create(GroupModuleSchema, {
        group: rathaus,
        module: 'news',
        settings: {
          categories: [{ key: 'baustellen', name: { de: 'Baustellen', en: 'Road works' } }],
          urgentAlerts: true,
        },
      });
      em.create(GroupMemberSchema, { group: rathaus, member: mayor, role: 'group_admin' });
      em.create(GroupMemberSchema, { group: rathaus, member });
      em.create(GroupModuleSchema, { group: rathaus, module: 'volunteering', settings: {} });
      const call = em.create(VolunteerCallSchema, {
        group: rathaus,
        author: mayor,
        title: 'Helfende für den Frühjahrsputz',
        body: 'Wir räumen den Dorfplatz auf.',
      });
      ids.call = call.id;
      const soon = DateTime.now().setZone('Europe/Berlin').startOf('day').plus({ days: 5, hours: 9 });
      ids.shift = em.create(VolunteerShiftSchema, {
        call,
        startsAt: soon.toJSDate(),
        endsAt: soon.plus({ hours: 3 }).toJSDate(),
        helpersNeeded: 4,
      }).id;
      await em.flush();
    });
    env = await startBrowserApp(Object.values(PEOPLE));
    // The urgent alert is written the way the group's admin writes it: through the REST API.
    const post = await expectJson<{ id: string }>(
      await call('POST', '/groups/rathaus/news/posts', 'mayor', {
        title: 'Hauptstraße ab Montag gesperrt',
        body: 'Wegen eines **Wasserrohrbruchs** ist die Hauptstraße gesperrt. Umleitung über die Bergstraße.',
        category: 'baustellen',
        urgency: 'urgent',
      }),
      201,
    );
    postId = post.id;
    context = await env.browser.newContext({ locale: 'de-DE' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await env?.stop();
    await orm?.close();
  });

  it('signs in, sees the urgent banner and reads the post', async () => {
    await signIn(page, env.base, PEOPLE.member.email);
    const home = await page.goto(`${env.base}/t/${slug}/`);
    expect(home?.status()).toBe(200);
    expect(await page.textContent('#alerts')).toContain('Hauptstraße ab Montag gesperrt');
    expect(await page.getAttribute('#alerts', 'role')).toBe('alert');
    await checkA11y(page, 'home');
    await screenshot(page, 'home');

    await Promise.all([page.waitForURL(new RegExp(`/news/${postId}$`)), page.click('#alerts a')]);
    expect(await page.textContent('#post-title')).toBe('Hauptstraße ab Montag gesperrt');
    expect(await page.innerHTML('#post')).toContain('<strong>Wasserrohrbruchs</strong>');
    await checkA11y(page, 'news-post');
    await screenshot(page, 'news-post');

    await page.goto(`${env.base}/t/${slug}/g/rathaus/news`);
    expect(await page.textContent(`#post-${postId}`)).toContain('Dringend');
    await checkA11y(page, 'news-list');
  });

  it('changes the digest preferences through the form, and a reload shows them', async () => {
    await page.goto(`${env.base}/t/${slug}/me/notifications`);
    await page.check('#frequency-weekly');
    await page.selectOption('#digest-hour', '18');
    await page.selectOption('#digest-weekday', '6');
    await page.check('#muted-rathaus');
    await Promise.all([page.waitForURL(/\/me\/notifications\?saved=1$/), page.click('#preferences-submit')]);
    expect(await page.textContent('#saved')).toContain('gespeichert');
    await page.reload();
    expect(await page.isChecked('#frequency-weekly')).toBe(true);
    expect(await page.inputValue('#digest-hour')).toBe('18');
    expect(await page.inputValue('#digest-weekday')).toBe('6');
    expect(await page.isChecked('#muted-rathaus')).toBe(true);
    await checkA11y(page, 'notifications');
    await screenshot(page, 'notifications');
  });

  it('switches to English, keeps it across pages, and switches back', async () => {
    await page.goto(`${env.base}/t/${slug}/`);
    await Promise.all([page.waitForURL(/lang=en/), page.click('#lang-en')]);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.goto(`${env.base}/t/${slug}/g/rathaus/news`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent(`#post-${postId}`)).toContain('Urgent');
    await checkA11y(page, 'news-list-en');
    await Promise.all([page.waitForURL(/lang=de/), page.click('#lang-de')]);
    await page.goto(`${env.base}/t/${slug}/me/notifications`);
    expect(await page.getAttribute('html', 'lang')).toBe('de');
  });

  it('shows "Mein Bereich" from the header', async () => {
    await page.goto(`${env.base}/t/${slug}/`);
    await Promise.all([page.waitForURL(new RegExp(`/t/${slug}/me$`)), page.click('#me-link')]);
    expect(await page.textContent('#me-heading')).toBe('Mein Bereich');
    expect(await page.textContent('#me-name')).toBe('Lena Leserin');
    expect(await page.textContent('#me-email')).toContain(PEOPLE.member.email);
    expect(await page.textContent('#me-group-rathaus')).toContain('Rathaus (Mitglied)');
    await checkA11y(page, 'me-community');
    await screenshot(page, 'me-community');
    await Promise.all([page.waitForURL(/\/me\/notifications$/), page.click('#me-notifications-link')]);
    expect(await page.isChecked('#frequency-weekly')).toBe(true);
  });

  it('pledges with htmx (only the shift block changes) and without JavaScript (a 303 to the page)', async () => {
    const callUrl = `${env.base}/t/${slug}/g/rathaus/volunteering/${ids.call}`;
    const csp: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
        csp.push(message.text());
    });
    await page.goto(callUrl);
    const count = page.locator(`#shift-count-${ids.shift}`);
    expect(await count.textContent()).toBe('0 von 4 Helfenden');
    // A marker on the page survives only if the page is not reloaded.
    await page.locator('body').evaluate((body) => body.setAttribute('data-kept', 'yes'));
    const swapped = page.waitForResponse(
      (response) =>
        response.url().endsWith(`/shifts/${ids.shift}/pledge`) &&
        response.request().headers()['hx-request'] === 'true',
    );
    await page.click(`#pledge-shift-${ids.shift}-submit`);
    expect((await swapped).status()).toBe(200);
    await page.waitForSelector(`#withdraw-shift-${ids.shift}-submit`);
    expect(await count.textContent()).toBe('1 von 4 Helfenden');
    expect(page.url()).toBe(callUrl);
    expect(await page.getAttribute('body', 'data-kept')).toBe('yes');
    // The keyboard focus moves to the button that replaced the pressed one.
    expect(await page.locator(':focus').getAttribute('id')).toBe(`withdraw-shift-${ids.shift}-submit`);
    await checkA11y(page, 'volunteering-call-htmx');
    await page.click(`#withdraw-shift-${ids.shift}-submit`);
    await page.waitForSelector(`#pledge-shift-${ids.shift}-submit`);
    expect(await count.textContent()).toBe('0 von 4 Helfenden');
    expect(csp).toEqual([]);

    // The same forms without JavaScript: a normal post, a 303 back to the call at the shift.
    const noScript = await env.browser.newContext({ locale: 'de-DE', javaScriptEnabled: false });
    const plain = await noScript.newPage();
    try {
      await signIn(plain, env.base, PEOPLE.member.email);
      await plain.goto(callUrl);
      await Promise.all([
        plain.waitForURL(new RegExp(`#shift-${ids.shift}$`)),
        plain.click(`#pledge-shift-${ids.shift}-submit`),
      ]);
      expect(await plain.textContent(`#shift-count-${ids.shift}`)).toBe('1 von 4 Helfenden');
      await Promise.all([
        plain.waitForURL(new RegExp(`#shift-${ids.shift}$`)),
        plain.click(`#withdraw-shift-${ids.shift}-submit`),
      ]);
      expect(await plain.textContent(`#shift-count-${ids.shift}`)).toBe('0 von 4 Helfenden');
    } finally {
      await noScript.close();
    }
  });

  it('lets a resident without login read the public news list and post', async () => {
    const visitor = await env.browser.newContext({ locale: 'de-DE' });
    const anonymous = await visitor.newPage();
    try {
      const list = await anonymous.goto(`${env.base}/t/${slug}/g/rathaus/news`);
      expect(list?.status()).toBe(200);
      expect(await anonymous.isVisible('#sign-in')).toBe(true);
      expect(await anonymous.textContent(`#post-${postId}`)).toContain('Hauptstraße ab Montag gesperrt');
      await checkA11y(anonymous, 'news-list-public');
      await Promise.all([
        anonymous.waitForURL(new RegExp(`/news/${postId}$`)),
        anonymous.click(`#post-${postId} a`),
      ]);
      expect(await anonymous.textContent('#post-title')).toBe('Hauptstraße ab Montag gesperrt');
      await checkA11y(anonymous, 'news-post-public');
    } finally {
      await visitor.close();
    }
  });
});
