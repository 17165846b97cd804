import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { NewsCommentSchema, NewsPostSchema } from '@allmende/news';
import type { Tenant } from '@allmende/tenants';
import { BrowserSession, formValue } from '../../../../test/support/browser-session';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { startApiWithIdentityProvider, TEST_PASSWORD } from '../../../../test/support/identity';

/** Comments under a news post in the portal, as a browser uses them (cookie jar, forms). */
describe('portal news comments', () => {
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
    /** group_admin of `neuigkeiten`. */
    editor: person('greta.kommentar@example.org', 'Greta', 'Redakteurin'),
    /** a resident: member of the community, in no group. */
    resident: person('rudi.kommentar@example.org', 'Rudi', 'Anwohner'),
  };
  const ids = { post: '', closedPost: '' };
  const page = (path: string) => `${base}/t/${tenant.slug}${path}`;
  const postPath = () => `/g/neuigkeiten/news/${ids.post}`;

  async function signIn(who: keyof typeof people, path: string) {
    const browser = new BrowserSession();
    const start = await browser.follow(
      `${base}/auth/login?returnTo=${encodeURIComponent(`/t/${tenant.slug}${path}`)}`,
    );
    const action = /<form[^>]*action="([^"]*)"/.exec(await start.response.text())![1]!.replace(/&amp;/g, '&');
    const landed = await browser.follow(new URL(action, start.url).href, {
      form: { username: people[who].email, password: TEST_PASSWORD },
    });
    expect(landed.url).toBe(page(path));
    return { browser, html: await landed.response.text() };
  }

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Kommentarhausen');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const member = (who: keyof typeof people) =>
        em.create(MemberSchema, {
          email: people[who].email,
          givenName: people[who].givenName,
          familyName: people[who].familyName,
        });
      const editor = member('editor');
      member('resident');
      const group = (key: string, comments: boolean) => {
        const created = em.create(GroupSchema, {
          key,
          name: { de: key },
          visibility: 'public',
          joinPolicy: 'open',
        });
        em.create(GroupModuleSchema, {
          group: created,
          module: 'news',
          settings: { categories: [{ key: 'allgemein', name: { de: 'Allgemein' } }], comments },
        });
        em.create(GroupMemberSchema, { group: created, member: editor, role: 'group_admin' });
        return em.create(NewsPostSchema, {
          group: created,
          author: editor,
          categoryKey: 'allgemein',
          title: `Baustelle (${key})`,
          body: 'Die Hauptstraße ist gesperrt.',
        });
      };
      ids.post = group('neuigkeiten', true).id;
      ids.closedPost = group('amtsblatt', false).id;
      await em.flush();
    });
    ({ app, idp, base } = await startApiWithIdentityProvider(Object.values(people)));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  it('shows anonymous readers the comments and a sign-in link, no form', async () => {
    const html = await (await new BrowserSession().request(page(postPath()))).text();
    expect(html).toContain('id="comments"');
    expect(html).toContain('id="comments-empty"');
    expect(html).toContain('id="comment-sign-in"');
    expect(html).not.toContain('id="comment-form"');
  });

  it('lets a resident comment, shows a refused comment again, and refuses a form without CSRF token', async () => {
    const { browser, html } = await signIn('resident', postPath());
    expect(html).toContain('id="comment-form"');
    const csrf = formValue(html, '_csrf')!;

    const refused = await browser.request(page(`${postPath()}/comments`), {
      form: { _csrf: csrf, body: '   ' },
    });
    expect(refused.status).toBe(400);
    const again = await refused.text();
    expect(again).toContain('id="comment-form-errors"');
    expect(again).toContain(
      '<a class="kern-link" href="#comment-body">Ihr Kommentar</a>: Bitte schreiben Sie einen Kommentar (höchstens 5.000 Zeichen).',
    );
    expect(again).toMatch(/id="comment-body"[^>]*aria-invalid="true"/);

    const forged = await browser.request(page(`${postPath()}/comments`), { form: { body: 'Gefälscht' } });
    expect(forged.status).toBe(403);

    const sent = await browser.request(page(`${postPath()}/comments`), {
      form: { _csrf: csrf, body: 'Bis wann ist **gesperrt**?' },
    });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toMatch(
      new RegExp(`^/t/${tenant.slug}${postPath()}#comment-[0-9a-f-]{36}$`),
    );
    const after = await (await browser.request(page(postPath()))).text();
    expect(after).toContain('Bis wann ist <strong>gesperrt</strong>?');
    expect(after).toContain('Rudi Anwohner');
    expect(after).not.toContain('Gefälscht');
    // The resident may delete their own comment, not hide it.
    expect(after).toMatch(/id="comment-[0-9a-f-]{36}-delete"/);
    expect(after).not.toMatch(/id="comment-[0-9a-f-]{36}-hide"/);
  });

  it('lets the group admin hide a comment, which others then no longer see', async () => {
    const resident = await signIn('resident', postPath());
    await resident.browser.request(page(`${postPath()}/comments`), {
      form: { _csrf: formValue(resident.html, '_csrf')!, body: 'Unpassender Kommentar' },
    });
    const commentId = await new TenantScope(orm).run(tenant.id, async (em) => {
      const comment = await em.findOneOrFail(NewsCommentSchema, { body: 'Unpassender Kommentar' });
      return comment.id;
    });
    const { browser, html } = await signIn('editor', postPath());
    expect(html).toContain(`id="comment-${commentId}-hide"`);
    const hidden = await browser.request(page(`${postPath()}/comments/${commentId}/hide`), {
      form: { _csrf: formValue(html, '_csrf')! },
    });
    expect(hidden.status).toBe(303);
    const editorView = await (await browser.request(page(postPath()))).text();
    expect(editorView).toContain(`id="comment-${commentId}-unhide"`);
    const publicView = await (await new BrowserSession().request(page(postPath()))).text();
    expect(publicView).not.toContain('Unpassender Kommentar');
    // A resident cannot hide: 403, and the comment stays as it was.
    const tried = await resident.browser.request(page(`${postPath()}/comments/${commentId}/unhide`), {
      form: { _csrf: formValue(resident.html, '_csrf')! },
    });
    expect(tried.status).toBe(403);
    expect(await (await new BrowserSession().request(page(postPath()))).text()).not.toContain(
      'Unpassender Kommentar',
    );
  });

  it('offers no form where the group takes no comments, and says so', async () => {
    const { html } = await signIn('resident', `/g/amtsblatt/news/${ids.closedPost}`);
    expect(html).not.toContain('id="comment-form"');
    expect(html).toContain('Zu Beiträgen dieser Gruppe sind keine Kommentare möglich.');
  });
});
