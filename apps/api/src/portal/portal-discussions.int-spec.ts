import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { DiscussionCommentSchema, DiscussionThreadSchema } from '@allmende/discussions';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { BrowserSession, formValue } from '../../../../test/support/browser-session';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { startApiWithIdentityProvider, TEST_PASSWORD } from '../../../../test/support/identity';

/** Discussions in the portal (issue 8): list, thread, forms for members, moderation for admins. */
describe('portal discussions pages', () => {
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
    /** group_admin of `nachbarn` and member of the private `vorstand`. */
    admin: person('doris.diskurs@example.org', 'Doris', 'Diskurs'),
    /** member of `nachbarn`. */
    member: person('kurt.kommentar@example.org', 'Kurt', 'Kommentar'),
    /** member of the community, in no group. */
    outsider: person('olga.ohnegruppe@example.org', 'Olga', 'Ohnegruppe'),
  };
  const ids = { solar: '', solarComment: '', moderated: '', moderatedComment: '', private: '' };

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
    const html = await text(landed.response);
    return { browser, html, csrf: formValue(html, '_csrf')! };
  }

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Redeheim');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const member = (who: keyof typeof people) =>
        em.create(MemberSchema, {
          email: people[who].email,
          givenName: people[who].givenName,
          familyName: people[who].familyName,
        });
      const doris = member('admin');
      const kurt = member('member');
      member('outsider');
      const group = (key: string, name: string, visibility: 'public' | 'private') => {
        const created = em.create(GroupSchema, { key, name: { de: name }, visibility, joinPolicy: 'invite' });
        em.create(GroupModuleSchema, { group: created, module: 'discussions', settings: {} });
        return created;
      };
      const nachbarn = group('nachbarn', 'Nachbarschaft', 'public');
      const vorstand = group('vorstand', 'Vorstand', 'private');
      em.create(GroupMemberSchema, { group: nachbarn, member: doris, role: 'group_admin' });
      em.create(GroupMemberSchema, { group: nachbarn, member: kurt });
      em.create(GroupMemberSchema, { group: vorstand, member: doris });
      const thread = (
        group: typeof nachbarn,
        author: typeof doris,
        title: string,
        body: string,
        minutesAgo: number,
      ) => {
        const at = new Date(Date.now() - minutesAgo * 60_000);
        return em.create(DiscussionThreadSchema, {
          group,
          author,
          title,
          body,
          createdAt: at,
          lastActivityAt: at,
        });
      };
      const comment = (on: ReturnType<typeof thread>, author: typeof doris, body: string) => {
        on.commentCount += 1;
        return em.create(DiscussionCommentSchema, { thread: on, author, body, createdAt: on.createdAt });
      };
      const solar = thread(nachbarn, doris, 'Erfahrungen mit Balkonkraftwerken', 'Wer hat **eins**?', 60);
      ids.solar = solar.id;
      ids.solarComment = comment(solar, kurt, 'Ich, seit Mai. *Läuft gut.*').id;
      const moderated = thread(nachbarn, kurt, 'Laubbläser am Sonntag', 'Das nervt.', 120);
      ids.moderated = moderated.id;
      ids.moderatedComment = comment(moderated, kurt, 'Unfreundliche Worte über den Nachbarn').id;
      ids.private = thread(vorstand, doris, 'Haushalt 2027', 'Vertraulich.', 30).id;
      await em.flush();
    });
    ({ app, idp, base } = await startApiWithIdentityProvider(Object.values(people)));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  it('lets residents without login read a public group, without forms', async () => {
    const browser = new BrowserSession();
    const list = await browser.request(page('/g/nachbarn/discussions'));
    expect(list.status).toBe(200);
    const listHtml = await text(list);
    expect(listHtml).toContain(`href="/t/${tenant.slug}/g/nachbarn/discussions/${ids.solar}"`);
    // Newest activity first.
    expect(listHtml.indexOf(ids.solar)).toBeLessThan(listHtml.indexOf(ids.moderated));
    expect(listHtml).toMatch(new RegExp(`id="thread-${ids.solar}-comments">Kommentare: 1<`));
    expect(listHtml).toContain('id="sign-in-hint"');
    expect(listHtml).not.toContain('id="thread-form"');
    expect(listHtml).not.toContain('name="_csrf"');

    const thread = await browser.request(page(`/g/nachbarn/discussions/${ids.solar}`));
    expect(thread.status).toBe(200);
    const html = await text(thread);
    expect(html).toContain('<title>Erfahrungen mit Balkonkraftwerken – Diskussionen');
    expect(html).toContain('Wer hat <strong>eins</strong>?');
    expect(html).toContain('Ich, seit Mai. <em>Läuft gut.</em>');
    expect(html).toContain('von Doris Diskurs');
    expect(html).toContain('Kurt Kommentar');
    expect(html).not.toContain('id="comment-form"');
    expect(html).not.toContain('id="thank-thread"');
    expect(html).not.toContain('id="moderation"');
    expect(html).not.toContain('name="_csrf"');
    // Reading public pages stores nothing: no session cookie.
    expect(browser.setCookies.filter((cookie) => !cookie.startsWith('allmende.lang'))).toEqual([]);
    expect((await browser.request(page('/g/nachbarn/discussions/kein-thema'))).status).toBe(404);
  });

  it('answers 404 for a private group to outsiders, signed in or not', async () => {
    const anonymous = new BrowserSession();
    expect((await anonymous.request(page('/g/vorstand/discussions'))).status).toBe(404);
    const thread = await anonymous.request(page(`/g/vorstand/discussions/${ids.private}`));
    expect(thread.status).toBe(404);
    expect(await thread.text()).not.toContain('Haushalt 2027');

    const outsider = await signIn('outsider', '/g/nachbarn/discussions');
    // Signed in, not in the group: reads the public group, but gets no forms.
    expect(outsider.html).toContain('id="members-only-hint"');
    expect(outsider.html).not.toContain('id="thread-form"');
    expect((await outsider.browser.request(page('/g/vorstand/discussions'))).status).toBe(404);
    expect((await outsider.browser.request(page(`/g/vorstand/discussions/${ids.private}`))).status).toBe(404);
    const refused = await outsider.browser.request(page(`/g/nachbarn/discussions/${ids.solar}/comments`), {
      form: { _csrf: outsider.csrf, body: 'Darf ich?' },
    });
    expect(refused.status).toBe(403);

    const admin = await signIn('admin', `/g/vorstand/discussions/${ids.private}`);
    expect(admin.html).toContain('Vertraulich.');
  });

  it('lets a member start a thread and comment on it', async () => {
    const { browser, html, csrf } = await signIn('member', '/g/nachbarn/discussions');
    expect(html).toContain('id="thread-form"');
    const created = await browser.request(page('/g/nachbarn/discussions'), {
      form: { _csrf: csrf, title: 'Wer leiht mir eine Leiter?', body: 'Für die **Dachrinne**.' },
    });
    expect(created.status).toBe(303);
    const location = created.headers.get('location')!;
    const match = new RegExp(`^/t/${tenant.slug}/g/nachbarn/discussions/([0-9a-f-]{36})$`).exec(location);
    expect(match).not.toBeNull();
    const threadId = match![1]!;
    const threadHtml = await text(await browser.request(`${base}${location}`));
    expect(threadHtml).toContain('Für die <strong>Dachrinne</strong>.');
    expect(threadHtml).toContain('id="comments-empty"');
    // One's own thread: delete, but no thanks.
    expect(threadHtml).toContain('id="delete-thread"');
    expect(threadHtml).not.toContain('id="thank-thread"');

    const commented = await browser.request(page(`/g/nachbarn/discussions/${threadId}/comments`), {
      form: { _csrf: csrf, body: 'Nachtrag: am *Samstag*.' },
    });
    expect(commented.status).toBe(303);
    const commentLocation = commented.headers.get('location')!;
    const commentId = /#comment-([0-9a-f-]{36})$/.exec(commentLocation)?.[1];
    expect(commentId).toBeDefined();
    const after = await text(await browser.request(`${base}${commentLocation.split('#')[0]}`));
    expect(after).toMatch(new RegExp(`id="comment-${commentId}-body"><p>Nachtrag: am <em>Samstag</em>.</p>`));
    expect(after).toContain(`id="delete-comment-${commentId}"`);

    // The new thread leads the list (newest activity), with its comment counted.
    const list = await text(await browser.request(page('/g/nachbarn/discussions')));
    expect(list.indexOf(threadId)).toBeLessThan(list.indexOf(ids.solar));
    expect(list).toMatch(new RegExp(`id="thread-${threadId}-comments">Kommentare: 1<`));

    // Deleting one's own comment takes it off the thread.
    const deleted = await browser.request(
      page(`/g/nachbarn/discussions/${threadId}/comments/${commentId}/delete`),
      {
        form: { _csrf: csrf },
      },
    );
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe(
      `/t/${tenant.slug}/g/nachbarn/discussions/${threadId}#comments`,
    );
    expect(await text(await browser.request(page(`/g/nachbarn/discussions/${threadId}`)))).not.toContain(
      'Nachtrag',
    );
  });

  it('shows a refused draft again with its values and errors linked to the fields (400)', async () => {
    const { browser, csrf } = await signIn('member', '/g/nachbarn/discussions');
    const refused = await browser.request(page('/g/nachbarn/discussions'), {
      form: { _csrf: csrf, title: '   ', body: 'Mein Entwurf ohne Titel' },
    });
    expect(refused.status).toBe(400);
    const html = await text(refused);
    expect(html).toMatch(
      /id="thread-form-errors"[\s\S]*<a class="kern-link" href="#thread-title">Titel<\/a>: Bitte geben Sie einen Titel ein/,
    );
    expect(html).toMatch(/id="thread-title"[^>]*aria-invalid="true"/);
    expect(html).not.toMatch(/id="thread-body"[^>]*aria-invalid/);
    expect(html).toMatch(/<textarea id="thread-body"[^>]*>Mein Entwurf ohne Titel<\/textarea>/);
    expect(await text(await browser.request(page('/g/nachbarn/discussions')))).not.toContain(
      'Mein Entwurf ohne Titel',
    );

    const comment = await browser.request(page(`/g/nachbarn/discussions/${ids.solar}/comments`), {
      form: { _csrf: csrf, body: ' '.repeat(3) },
    });
    expect(comment.status).toBe(400);
    const commentHtml = await text(comment);
    expect(commentHtml).toMatch(
      /id="comment-form-errors"[\s\S]*<a class="kern-link" href="#comment-body">Ihr Kommentar<\/a>/,
    );
    expect(commentHtml).toMatch(/id="comment-body"[^>]*aria-invalid="true"/);
    expect(commentHtml).toContain('Wer hat <strong>eins</strong>?');
    const tooLong = await browser.request(page(`/g/nachbarn/discussions/${ids.solar}/comments`), {
      form: { _csrf: csrf, body: 'x'.repeat(10_001) },
    });
    expect(tooLong.status).toBe(400);
    expect(await text(tooLong)).toContain(`>${'x'.repeat(10_001)}</textarea>`);
  });

  it('refuses a form without the CSRF token (403), changing nothing', async () => {
    const { browser } = await signIn('member', '/g/nachbarn/discussions');
    const forged = await browser.request(page('/g/nachbarn/discussions'), {
      form: { title: 'Gefälschte Diskussion', body: 'x' },
    });
    expect(forged.status).toBe(403);
    const forgedComment = await browser.request(page(`/g/nachbarn/discussions/${ids.solar}/comments`), {
      form: { body: 'Gefälschter Kommentar' },
    });
    expect(forgedComment.status).toBe(403);
    expect(await text(await browser.request(page('/g/nachbarn/discussions')))).not.toContain('Gefälscht');
    expect(await text(await browser.request(page(`/g/nachbarn/discussions/${ids.solar}`)))).not.toContain(
      'Gefälscht',
    );
  });

  it('lets a member thank for others’ content, not for their own', async () => {
    const path = `/g/nachbarn/discussions/${ids.solar}`;
    const { browser, html, csrf } = await signIn('member', path);
    expect(html).toContain('id="thank-thread"');
    // Kurt wrote the comment: no thanks for it.
    expect(html).not.toContain(`id="thank-comment-${ids.solarComment}"`);
    const thanked = await browser.request(page(`${path}/thanks`), { form: { _csrf: csrf, thanked: 'true' } });
    expect(thanked.status).toBe(303);
    const after = await text(await browser.request(page(path)));
    expect(after).toMatch(/id="thread-thanks">Danke: 1</);
    expect(after).toContain('id="thread-thanked"');
    expect(after).toMatch(/<input type="hidden" name="thanked" value="false" \/>/);
    const own = await browser.request(page(`${path}/comments/${ids.solarComment}/thanks`), {
      form: { _csrf: csrf, thanked: 'true' },
    });
    expect(own.status).toBe(403);
    const odd = await browser.request(page(`${path}/thanks`), { form: { _csrf: csrf, thanked: 'sehr' } });
    expect(odd.status).toBe(400);
    const back = await browser.request(page(`${path}/thanks`), { form: { _csrf: csrf, thanked: 'false' } });
    expect(back.status).toBe(303);
    expect(await text(await browser.request(page(path)))).toMatch(/id="thread-thanks">Danke: 0</);
  });

  it('lets a group admin hide and lock; a locked thread refuses members’ comments', async () => {
    const path = `/g/nachbarn/discussions/${ids.moderated}`;
    const member = await signIn('member', path);
    expect(member.html).not.toContain('id="moderation"');
    const notAllowed = await member.browser.request(page(`${path}/lock`), { form: { _csrf: member.csrf } });
    expect(notAllowed.status).toBe(403);

    const admin = await signIn('admin', path);
    expect(admin.html).toContain('id="hide-thread"');
    expect(admin.html).toContain('id="lock-thread"');
    expect(admin.html).toContain(`id="hide-comment-${ids.moderatedComment}"`);
    const post = (action: string) =>
      admin.browser.request(page(`${path}/${action}`), { form: { _csrf: admin.csrf } });

    // A hidden comment: a placeholder for members, the text for the admin.
    const hidden = await post(`comments/${ids.moderatedComment}/hide`);
    expect(hidden.status).toBe(303);
    expect(hidden.headers.get('location')).toBe(`/t/${tenant.slug}${path}#comment-${ids.moderatedComment}`);
    const memberView = await text(await member.browser.request(page(path)));
    expect(memberView).toContain(`id="comment-${ids.moderatedComment}-placeholder"`);
    expect(memberView).not.toContain('Unfreundliche Worte');
    // Its author cannot delete it either while it is hidden.
    expect(memberView).not.toContain(`id="delete-comment-${ids.moderatedComment}"`);
    const adminView = await text(await admin.browser.request(page(path)));
    expect(adminView).toContain('Unfreundliche Worte');
    expect(adminView).toContain(`id="comment-${ids.moderatedComment}-hidden"`);
    expect(adminView).toContain(`id="unhide-comment-${ids.moderatedComment}"`);

    // A hidden thread: gone for members (even its author), marked for the admin.
    expect((await post('hide')).status).toBe(303);
    expect((await member.browser.request(page(path))).status).toBe(404);
    expect(await text(await member.browser.request(page('/g/nachbarn/discussions')))).not.toContain(
      ids.moderated,
    );
    expect(await text(await new BrowserSession().request(page(path)))).not.toContain('Laubbläser');
    const adminList = await text(await admin.browser.request(page('/g/nachbarn/discussions')));
    expect(adminList).toContain(`id="thread-${ids.moderated}-hidden"`);
    expect(await text(await admin.browser.request(page(path)))).toContain('id="thread-hidden-notice"');
    expect((await post('unhide')).status).toBe(303);
    expect((await member.browser.request(page(path))).status).toBe(200);

    // Locked: no form for members, their comment is a 409; the admin may still comment.
    expect((await post('lock')).status).toBe(303);
    const lockedView = await text(await member.browser.request(page(path)));
    expect(lockedView).toContain('id="thread-locked"');
    expect(lockedView).toContain('id="comments-closed"');
    expect(lockedView).not.toContain('id="comment-form"');
    const refused = await member.browser.request(page(`${path}/comments`), {
      form: { _csrf: member.csrf, body: 'Trotzdem noch etwas.' },
    });
    expect(refused.status).toBe(409);
    expect(await text(await member.browser.request(page(path)))).not.toContain('Trotzdem noch etwas.');
    const list = await text(await member.browser.request(page('/g/nachbarn/discussions')));
    expect(list).toContain(`id="thread-${ids.moderated}-locked"`);
    const adminLocked = await text(await admin.browser.request(page(path)));
    expect(adminLocked).toContain('id="comment-locked-moderator"');
    expect(adminLocked).toContain('id="unlock-thread"');
    const explained = await admin.browser.request(page(`${path}/comments`), {
      form: { _csrf: admin.csrf, body: 'Gesperrt, bitte bleiben Sie freundlich.' },
    });
    expect(explained.status).toBe(303);
    expect(await text(await member.browser.request(page(path)))).toContain(
      'Gesperrt, bitte bleiben Sie freundlich.',
    );
    expect((await post('unlock')).status).toBe(303);
    expect(await text(await member.browser.request(page(path)))).toContain('id="comment-form"');
  });

  it('lets authors delete their threads: a commented one stays as "deleted" with its comments', async () => {
    const member = await signIn('member', '/g/nachbarn/discussions');
    const start = async (title: string) => {
      const created = await member.browser.request(page('/g/nachbarn/discussions'), {
        form: { _csrf: member.csrf, title, body: 'Kurz gefragt.' },
      });
      expect(created.status).toBe(303);
      return /([0-9a-f-]{36})$/.exec(created.headers.get('location')!)![1]!;
    };
    const lonely = await start('Frage ohne Antwort');
    const answered = await start('Frage mit Antwort');
    const admin = await signIn('admin', `/g/nachbarn/discussions/${answered}`);
    const reply = await admin.browser.request(page(`/g/nachbarn/discussions/${answered}/comments`), {
      form: { _csrf: admin.csrf, body: 'Die Antwort bleibt stehen.' },
    });
    expect(reply.status).toBe(303);
    // Not hers: the admin (a moderator) may delete it, a member may not.
    expect(admin.html).toContain('id="delete-thread"');

    for (const id of [lonely, answered]) {
      const deleted = await member.browser.request(page(`/g/nachbarn/discussions/${id}/delete`), {
        form: { _csrf: member.csrf },
      });
      expect(deleted.status).toBe(303);
      expect(deleted.headers.get('location')).toBe(`/t/${tenant.slug}/g/nachbarn/discussions`);
    }
    expect((await member.browser.request(page(`/g/nachbarn/discussions/${lonely}`))).status).toBe(404);
    const tombstone = await text(await member.browser.request(page(`/g/nachbarn/discussions/${answered}`)));
    expect(tombstone).toContain('id="thread-deleted"');
    expect(tombstone).not.toContain('Frage mit Antwort');
    expect(tombstone).toContain('Die Antwort bleibt stehen.');
    expect(tombstone).not.toContain('id="comment-form"');
    expect(tombstone).not.toContain('id="delete-thread"');
    const list = await text(await member.browser.request(page('/g/nachbarn/discussions')));
    expect(list).not.toContain(lonely);
    expect(list).toMatch(
      new RegExp(`href="/t/${tenant.slug}/g/nachbarn/discussions/${answered}">Gelöschter Beitrag<`),
    );
    const outsider = await signIn('outsider', `/g/nachbarn/discussions/${ids.solar}`);
    const refused = await outsider.browser.request(page(`/g/nachbarn/discussions/${ids.solar}/delete`), {
      form: { _csrf: outsider.csrf },
    });
    expect(refused.status).toBe(403);
  });

  it('speaks English on request', async () => {
    const browser = new BrowserSession();
    const list = await text(await browser.request(page('/g/nachbarn/discussions?lang=en')));
    expect(list).toContain('<html lang="en"');
    expect(list).toContain('Sign in to take part in the discussion.');
    expect(list).toMatch(new RegExp(`id="thread-${ids.solar}-comments">Comments: 1<`));
    const thread = await text(await browser.request(page(`/g/nachbarn/discussions/${ids.solar}`)));
    expect(thread).toContain('Back to the discussions');
    expect(thread).toContain('<title>Erfahrungen mit Balkonkraftwerken – Discussions');
    expect(thread).toContain('by Doris Diskurs');

    const member = await signIn('member', '/g/nachbarn/discussions?lang=en');
    expect(member.html).toContain('Start a new discussion');
    const refused = await member.browser.request(page('/g/nachbarn/discussions'), {
      form: { _csrf: member.csrf, title: 'Only a title', body: '' },
    });
    expect(refused.status).toBe(400);
    expect(await text(refused)).toContain(
      '<a class="kern-link" href="#thread-body">Your post</a>: Please write a text',
    );
  });
});
