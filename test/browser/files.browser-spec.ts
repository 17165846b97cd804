import type { BrowserContext, Page } from 'playwright-core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { checkA11y, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser-app';
import { createTenant, openOrm } from '../support/fixtures';
import { pngImage } from '../support/png';

const MEMBER = {
  email: 'fritz.falter@example.org',
  emailVerified: true,
  givenName: 'Fritz',
  familyName: 'Falter',
};
/** A real PNG made here (a small plan: a grey field with a red line). */
const PLAN = pngImage(64, 48, (x, y) => (Math.abs(y - x / 2 - 8) < 2 ? [200, 30, 30] : [225, 225, 225]));

/** The files of a group in Chromium: upload through the real form, the list, download; axe, screenshot. */
describe('files in the browser', () => {
  let env: BrowserApp;
  let orm: MikroORM;
  let context: BrowserContext;
  let page: Page;
  let slug: string;

  beforeAll(async () => {
    orm = await openOrm();
    const tenant = await createTenant(orm, 'Ortsgemeinde Aktenried');
    slug = tenant.slug;
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const fritz = em.create(MemberSchema, {
        email: MEMBER.email,
        givenName: MEMBER.givenName,
        familyName: MEMBER.familyName,
      });
      const group = em.create(GroupSchema, {
        key: 'heimatverein',
        name: { de: 'Heimatverein', en: 'Local history society' },
        visibility: 'public',
        joinPolicy: 'open',
      });
      em.create(GroupModuleSchema, { group, module: 'files', settings: {} });
      em.create(GroupMemberSchema, { group, member: fritz });
      await em.flush();
    });
    env = await startBrowserApp([MEMBER]);
    context = await env.browser.newContext({ locale: 'de-DE', acceptDownloads: true });
    page = await context.newPage();
    await signIn(page, env.base, MEMBER.email);
  });
  afterAll(async () => {
    await context?.close();
    await env?.stop();
    await orm?.close();
  });

  it('uploads a file through the form, lists it and downloads it', async () => {
    await page.goto(`${env.base}/t/${slug}/g/heimatverein/files`);
    expect(await page.locator('#files-empty').count()).toBe(1);
    await checkA11y(page, 'files-list-empty');

    await page.setInputFiles('#upload-file', {
      name: 'Lageplan Dorfmühle.png',
      mimeType: 'image/png',
      buffer: PLAN,
    });
    await Promise.all([
      page.waitForURL(/\/files\?uploaded=[0-9a-f-]{36}#file-/),
      page.click('#upload-submit'),
    ]);
    expect(await page.textContent('#file-uploaded')).toBe('„Lageplan Dorfmühle.png“ wurde hochgeladen.');
    const row = page.locator('#files-list tbody tr');
    expect(await row.count()).toBe(1);
    const cells = (await row.locator('td').allTextContents()).map((cell) => cell.trim());
    expect(cells.slice(0, 4)).toEqual([
      'Lageplan Dorfmühle.png',
      `${PLAN.length} B`,
      'image/png',
      'Fritz Falter',
    ]);
    await checkA11y(page, 'files-list');
    await screenshot(page, 'files-list');

    // The link downloads (an attachment, never shown inline) the very bytes.
    const [download] = await Promise.all([page.waitForEvent('download'), row.locator('a[download]').click()]);
    expect(download.suggestedFilename()).toBe('Lageplan Dorfmühle.png');
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(path)).equals(PLAN)).toBe(true);

    // A file that is not of an accepted type: a clear error on the page, nothing listed.
    await page.setInputFiles('#upload-file', {
      name: 'notizen.png',
      mimeType: 'image/png',
      buffer: Buffer.from('Nur Text, kein Bild.\n'),
    });
    await Promise.all([page.waitForLoadState('load'), page.click('#upload-submit')]);
    expect(await page.textContent('#upload-errors')).toContain('Diese Art von Datei wird nicht angenommen');
    expect(await page.locator('#files-list tbody tr').count()).toBe(1);
    await checkA11y(page, 'files-list-refused');
  });
});
