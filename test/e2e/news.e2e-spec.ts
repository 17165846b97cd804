import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AuditEventSchema, OutboxEventSchema } from '@allmende/content';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type GroupVisibility } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../support/fixtures';
import { startApiWithIdentityProvider } from '../support/identity';
import { expectJson, tenantApi } from '../support/api-client';

interface PostView {
  id: string;
  group: string;
  category: { key: string; name: { de: string; en?: string } };
  title: string;
  body: string;
  bodyHtml: string;
  urgency: 'normal' | 'important' | 'urgent';
  pinned: boolean;
  publishAt: string;
  expiresAt: string | null;
  author: { memberId: string; name: string } | null;
  resolved: { at: string; followUp: string; followUpHtml: string } | null;
  createdAt: string;
  updatedAt: string;
}
interface PostPage {
  items: PostView[];
  nextCursor: string | null;
}
interface Problem {
  status: number;
  errors?: { path: string; message: string }[];
}

/** The news module through the API, with real tokens from the dev identity provider. */
describe('news', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let tenant: Tenant;
  let other: Tenant;
  const person = (email: string, givenName: string, familyName: string) => ({
    email,
    givenName,
    familyName,
    emailVerified: true,
  });
  const people = {
    /** tenant_admin, in no group. */
    admin: person('rathaus.news@example.org', 'Rita', 'Rathaus'),
    /** group_admin of every group below. */
    editor: person('gerd.redaktion@example.org', 'Gerd', 'Redaktion'),
    /** member of `neuigkeiten` and `verwaltung`. */
    member: person('mia.news@example.org', 'Mia', 'Mitglied'),
    /** member of the tenant, in no group. */
    bystander: person('tom.news@example.org', 'Tom', 'Zaungast'),
    /** member of another tenant only. */
    outsider: person('otto.news@example.org', 'Otto', 'Anderswo'),
  };
  type Who = keyof typeof people | 'anonymous';

  const call = tenantApi(
    () => ({ base, idp }),
    people,
    () => tenant.slug,
  );

  const json = expectJson;

  const create = async (who: Who, group: string, body: Record<string, unknown>) =>
    json<PostView>(await call('POST', `/groups/${group}/news/posts`, who, body), 201);
  const postBody = (extra: Record<string, unknown> = {}) => ({
    title: 'Straßenfest',
    body: 'Am Samstag ist **Straßenfest**.',
    category: 'baustellen',
    ...extra,
  });
  const inScope = <T>(fn: (em: Parameters<Parameters<TenantScope['run']>[1]>[0]) => Promise<T>) =>
    new TenantScope(orm).run(tenant.id, fn);
  const outboxFor = (postId: string) =>
    inScope(async (em) =>
      (await em.find(OutboxEventSchema, {}, { orderBy: { createdAt: 'asc', id: 'asc' } })).filter(
        (event) => event.payload.postId === postId,
      ),
    );
  const auditFor = (postId: string) =>
    inScope((em) => em.find(AuditEventSchema, { entityId: postId }, { orderBy: { createdAt: 'asc' } }));
  let memberIds: Record<keyof typeof people, string>;

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Nachrichten');
    other = await createTenant(orm, 'Ortsgemeinde Anderswo');
    await new TenantScope(orm).run(other.id, async (em) => {
      em.create(MemberSchema, {
        email: people.outsider.email,
        givenName: people.outsider.givenName,
        familyName: people.outsider.familyName,
      });
      await em.flush();
    });
    memberIds = await new TenantScope(orm).run(tenant.id, async (em) => {
      const member = (who: keyof typeof people, role: 'tenant_admin' | 'member' = 'member') =>
        em.create(MemberSchema, {
          email: people[who].email,
          givenName: people[who].givenName,
          familyName: people[who].familyName,
          role,
        });
      const admin = member('admin', 'tenant_admin');
      const editor = member('editor');
      const mia = member('member');
      const tom = member('bystander');
      const group = (key: string, visibility: GroupVisibility, news?: Record<string, unknown>) => {
        const created = em.create(GroupSchema, { key, name: { de: key }, visibility, joinPolicy: 'open' });
        if (news) em.create(GroupModuleSchema, { group: created, module: 'news', settings: news });
        em.create(GroupMemberSchema, { group: created, member: editor, role: 'group_admin' });
        return created;
      };
      const neuigkeiten = group('neuigkeiten', 'public', {
        categories: [
          { key: 'baustellen', name: { de: 'Baustellen', en: 'Roadworks' } },
          { key: 'feuerwehr', name: { de: 'Feuerwehr', en: 'Fire brigade' } },
        ],
        urgentAlerts: true,
      });
      const verwaltung = group('verwaltung', 'members', {
        categories: [{ key: 'baustellen', name: { de: 'Baustellen' } }],
        urgentAlerts: false,
      });
      group('vorstand', 'private', {
        categories: [{ key: 'baustellen', name: { de: 'Intern' } }],
        urgentAlerts: true,
      });
      const chor = em.create(GroupSchema, { key: 'chor', name: { de: 'Chor' }, visibility: 'public' });
      em.create(GroupModuleSchema, { group: chor, module: 'discussions', settings: {} });
      em.create(GroupMemberSchema, { group: chor, member: editor, role: 'group_admin' });
      em.create(GroupMemberSchema, { group: neuigkeiten, member: mia });
      em.create(GroupMemberSchema, { group: verwaltung, member: mia });
      await em.flush();
      return { admin: admin.id, editor: editor.id, member: mia.id, bystander: tom.id, outsider: '' };
    });
    ({ app, idp, base } = await startApiWithIdentityProvider(Object.values(people)));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  describe('who may read and write', () => {
    const readers: Record<string, Record<Who, number>> = {
      neuigkeiten: { anonymous: 200, outsider: 200, bystander: 200, member: 200, editor: 200, admin: 200 },
      verwaltung: { anonymous: 404, outsider: 404, bystander: 200, member: 200, editor: 200, admin: 200 },
      vorstand: { anonymous: 404, outsider: 404, bystander: 404, member: 404, editor: 200, admin: 200 },
      // A group without the news module: as if there were no such group.
      chor: { anonymous: 404, outsider: 404, bystander: 404, member: 404, editor: 404, admin: 404 },
    };
    it.each(Object.entries(readers))('reading the news of %s', async (group, expected) => {
      const post =
        group === 'chor' ? null : await create('editor', group, postBody({ title: `Lesen ${group}` }));
      for (const [who, status] of Object.entries(expected) as [Who, number][]) {
        const list = await call('GET', `/groups/${group}/news/posts`, who);
        expect({ who, status: list.status }).toEqual({ who, status });
        if (post) {
          const one = await call('GET', `/groups/${group}/news/posts/${post.id}`, who);
          expect({ who, status: one.status }).toEqual({ who, status });
          if (status === 200) {
            const items = (await list.json()) as PostPage;
            expect(items.items.map((item) => item.id)).toContain(post.id);
          }
        }
      }
    });

    const writers: Record<string, Record<Who, number>> = {
      // Readable for everyone, writable for its members: a stranger is refused, not hidden from.
      neuigkeiten: { anonymous: 401, outsider: 403, bystander: 403, member: 201, editor: 201, admin: 403 },
      verwaltung: { anonymous: 401, outsider: 404, bystander: 403, member: 201, editor: 201, admin: 403 },
      vorstand: { anonymous: 401, outsider: 404, bystander: 404, member: 404, editor: 201, admin: 403 },
      chor: { anonymous: 401, outsider: 404, bystander: 404, member: 404, editor: 404, admin: 404 },
    };
    it.each(Object.entries(writers))('writing in the news of %s', async (group, expected) => {
      for (const [who, status] of Object.entries(expected) as [Who, number][]) {
        const response = await call(
          'POST',
          `/groups/${group}/news/posts`,
          who,
          postBody({ title: `${who}` }),
        );
        expect({ who, status: response.status }).toEqual({ who, status });
      }
    });

    it('lets the author and moderators edit and delete, nobody else', async () => {
      const mine = await create('member', 'verwaltung', postBody({ title: 'Von Mia' }));
      const editors = await create('editor', 'verwaltung', postBody({ title: 'Von Gerd' }));
      const path = (post: PostView) => `/groups/verwaltung/news/posts/${post.id}`;
      expect((await call('PATCH', path(editors), 'member', { title: 'Übernommen' })).status).toBe(403);
      expect((await call('PATCH', path(mine), 'bystander', { title: 'Übernommen' })).status).toBe(403);
      expect((await call('PATCH', path(mine), 'outsider', { title: 'Übernommen' })).status).toBe(404);
      expect((await call('PATCH', path(mine), 'anonymous', { title: 'Übernommen' })).status).toBe(401);
      expect((await call('DELETE', path(editors), 'member')).status).toBe(403);
      expect((await call('DELETE', path(mine), 'bystander')).status).toBe(403);
      expect((await call('DELETE', path(mine), 'anonymous')).status).toBe(401);

      const edited = await json<PostView>(await call('PATCH', path(mine), 'member', { title: 'Neu' }), 200);
      expect(edited).toMatchObject({ title: 'Neu', body: mine.body, category: mine.category });
      // The author's own edit is no moderation: nothing audited.
      expect(await auditFor(mine.id)).toEqual([]);

      expect((await call('DELETE', path(mine), 'member')).status).toBe(204);
      expect((await call('GET', path(mine), 'member')).status).toBe(404);
      expect(await auditFor(mine.id)).toEqual([]);
    });
  });

  describe('posting', () => {
    it('answers with the post as written and rendered, with its author but no e-mail address', async () => {
      const response = await call(
        'POST',
        '/groups/neuigkeiten/news/posts',
        'member',
        postBody({ category: 'feuerwehr', urgency: 'important' }),
      );
      const text = await response.text();
      expect(response.status).toBe(201);
      expect(text).not.toContain('@');
      const post = JSON.parse(text) as PostView;
      expect(post).toMatchObject({
        group: 'neuigkeiten',
        category: { key: 'feuerwehr', name: { de: 'Feuerwehr', en: 'Fire brigade' } },
        title: 'Straßenfest',
        body: 'Am Samstag ist **Straßenfest**.',
        urgency: 'important',
        pinned: false,
        expiresAt: null,
        author: { memberId: memberIds.member, name: 'Mia Mitglied' },
        resolved: null,
      });
      expect(post.bodyHtml).toContain('<strong>Straßenfest</strong>');
      expect(Date.parse(post.publishAt)).toBeLessThanOrEqual(Date.now());

      const outbox = await outboxFor(post.id);
      expect(outbox.map((event) => [event.topic, event.payload])).toEqual([
        [
          'news.post.published',
          expect.objectContaining({ postId: post.id, groupKey: 'neuigkeiten', urgency: 'important' }),
        ],
      ]);
      expect(JSON.stringify(outbox[0]!.payload)).not.toContain('@');
    });

    it('returns script in Markdown inert', async () => {
      const body =
        '<script>alert(1)</script><img src=x onerror="alert(2)"> [klick](javascript:alert(3)) <a href="#" onclick="alert(4)">x</a>';
      const post = await create('member', 'neuigkeiten', postBody({ body }));
      expect(post.body).toBe(body);
      for (const html of [
        post.bodyHtml,
        (
          (await (
            await call('GET', `/groups/neuigkeiten/news/posts/${post.id}`, 'anonymous')
          ).json()) as PostView
        ).bodyHtml,
      ]) {
        // Escaped text is fine; a live tag, handler or javascript: URL is not.
        expect(html).not.toMatch(/<script/i);
        expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
        expect(html).not.toMatch(/(href|src)\s*=\s*["']?\s*javascript:/i);
      }
    });

    it('rejects bad bodies with 400 naming the fields, and changes nothing', async () => {
      const before = await inScope((em) => em.count(OutboxEventSchema, {}));
      const bad = async (body: unknown, paths: string[]) => {
        const problem = await json<Problem>(
          await call('POST', '/groups/neuigkeiten/news/posts', 'member', body),
          400,
        );
        expect(problem.errors?.map((error) => error.path).sort()).toEqual(paths.sort());
      };
      await bad({ body: 'x', category: 'baustellen' }, ['title']);
      await bad(postBody({ author: memberIds.editor }), ['(root)']);
      await bad(postBody({ urgency: 'panic' }), ['urgency']);
      await bad(postBody({ publishAt: 'morgen' }), ['publishAt']);
      await bad(postBody({ title: '', body: '' }), ['title', 'body']);
      await bad(postBody({ category: 'kirmes' }), ['category']);
      await bad(postBody({ publishAt: '2030-01-02T00:00:00Z', expiresAt: '2030-01-01T00:00:00Z' }), [
        'expiresAt',
      ]);
      const unknown = await json<Problem>(
        await call('POST', '/groups/neuigkeiten/news/posts', 'member', postBody({ tenantId: 'x' })),
        400,
      );
      expect(JSON.stringify(unknown)).toContain('tenantId');
      expect((await call('PATCH', `/groups/neuigkeiten/news/posts/not-a-uuid`, 'member', {})).status).toBe(
        400,
      );
      expect(await inScope((em) => em.count(OutboxEventSchema, {}))).toBe(before);
    });

    it('lets only moderators post urgent alerts, and only where the template allows them', async () => {
      const urgent = postBody({ urgency: 'urgent', title: 'Wasserrohrbruch' });
      expect((await call('POST', '/groups/neuigkeiten/news/posts', 'member', urgent)).status).toBe(403);
      // verwaltung: urgentAlerts false, even for its admin.
      expect((await call('POST', '/groups/verwaltung/news/posts', 'editor', urgent)).status).toBe(403);
      const alert = await create('editor', 'neuigkeiten', urgent);
      expect(alert.urgency).toBe('urgent');
      const [event] = await outboxFor(alert.id);
      expect(event).toMatchObject({
        topic: 'news.post.published',
        payload: { urgency: 'urgent', postId: alert.id },
      });
      // Nor may a member raise their post to urgent later.
      const plain = await create('member', 'neuigkeiten', postBody());
      expect(
        (await call('PATCH', `/groups/neuigkeiten/news/posts/${plain.id}`, 'member', { urgency: 'urgent' }))
          .status,
      ).toBe(403);
    });

    it('alerts again at the new time when an urgent post is moved, not when it is only edited', async () => {
      const inAnHour = new Date(Date.now() + 60 * 60 * 1000);
      const alert = await create(
        'editor',
        'neuigkeiten',
        postBody({ urgency: 'urgent', publishAt: inAnHour.toISOString() }),
      );
      expect((await outboxFor(alert.id)).map((event) => event.topic)).toEqual(['news.post.published']);
      const patch = (body: Record<string, unknown>) =>
        call('PATCH', `/groups/neuigkeiten/news/posts/${alert.id}`, 'editor', body);
      expect((await patch({ title: 'Wasserrohrbruch (Nachtrag)' })).status).toBe(200);
      expect(await outboxFor(alert.id)).toHaveLength(1);
      const later = new Date(inAnHour.getTime() + 60 * 60 * 1000).toISOString();
      expect((await patch({ publishAt: later })).status).toBe(200);
      const events = await outboxFor(alert.id);
      expect(events.map((event) => [event.topic, event.payload.publishAt])).toEqual([
        ['news.post.published', inAnHour.toISOString()],
        ['news.post.published', later],
      ]);
    });

    it('lets only moderators pin, audited, and lists pinned posts first', async () => {
      expect(
        (await call('POST', '/groups/verwaltung/news/posts', 'member', postBody({ pinned: true }))).status,
      ).toBe(403);
      const older = await create('member', 'verwaltung', postBody({ title: 'Älter' }));
      await create('member', 'verwaltung', postBody({ title: 'Neuer' }));
      const path = `/groups/verwaltung/news/posts/${older.id}`;
      expect((await call('PATCH', path, 'member', { pinned: true })).status).toBe(403);
      const pinned = await json<PostView>(await call('PATCH', path, 'editor', { pinned: true }), 200);
      expect(pinned.pinned).toBe(true);
      const list = await json<PostPage>(await call('GET', '/groups/verwaltung/news/posts', 'bystander'), 200);
      expect(list.items[0]!.id).toBe(older.id);
      expect(list.items[1]!.title).toBe('Neuer');
      expect((await auditFor(older.id)).map((event) => event.action)).toEqual(['news.post.pinned']);
      await json<PostView>(await call('PATCH', path, 'editor', { pinned: false }), 200);
      expect((await auditFor(older.id)).map((event) => event.action)).toEqual([
        'news.post.pinned',
        'news.post.unpinned',
      ]);
    });

    it("audits a moderator's edit and deletion of someone else's post", async () => {
      const post = await create('member', 'neuigkeiten', postBody({ title: 'Flohmarkt' }));
      const path = `/groups/neuigkeiten/news/posts/${post.id}`;
      const edited = await json<PostView>(await call('PATCH', path, 'editor', { body: 'Abgesagt.' }), 200);
      expect(edited).toMatchObject({ body: 'Abgesagt.', author: { memberId: memberIds.member } });
      expect((await call('DELETE', path, 'editor')).status).toBe(204);
      const audit = await auditFor(post.id);
      expect(audit.map((event) => [event.action, event.actorMemberId])).toEqual([
        ['news.post.edited', memberIds.editor],
        ['news.post.deleted', memberIds.editor],
      ]);
      expect(audit[1]!.details).toMatchObject({ title: 'Flohmarkt', authorMemberId: memberIds.member });
      // The tenant admin sees it in the audit log.
      const log = await json<{ items: { action: string; entityId: string }[] }>(
        await call('GET', '/audit?limit=100', 'admin'),
        200,
      );
      expect(log.items).toEqual(
        expect.arrayContaining([expect.objectContaining({ action: 'news.post.deleted', entityId: post.id })]),
      );
    });
  });

  describe('time', () => {
    it('shows a scheduled post only to its author and moderators until its time', async () => {
      const later = new Date(Date.now() + 3_600_000).toISOString();
      const post = await create('member', 'verwaltung', postBody({ title: 'Geplant', publishAt: later }));
      const ids = async (who: Who, path = '/groups/verwaltung/news/posts?limit=100') =>
        (await json<PostPage>(await call('GET', path, who), 200)).items.map((item) => item.id);
      expect(await ids('member')).toContain(post.id);
      expect(await ids('editor')).toContain(post.id);
      expect(await ids('bystander')).not.toContain(post.id);
      expect((await call('GET', `/groups/verwaltung/news/posts/${post.id}`, 'bystander')).status).toBe(404);
      expect((await call('GET', `/groups/verwaltung/news/posts/${post.id}`, 'editor')).status).toBe(200);
      // Not in anyone's feed before its time.
      expect(await ids('member', '/news/feed?limit=100')).not.toContain(post.id);
      // The worker learns when it may announce it.
      const [event] = await outboxFor(post.id);
      expect(event!.payload.publishAt).toBe(post.publishAt);
    });

    it('drops expired posts from lists; moderators still read them by id', async () => {
      const post = await create(
        'member',
        'neuigkeiten',
        postBody({
          title: 'Abgelaufen',
          publishAt: new Date(Date.now() - 7_200_000).toISOString(),
          expiresAt: new Date(Date.now() - 3_600_000).toISOString(),
        }),
      );
      const list = await json<PostPage>(
        await call('GET', '/groups/neuigkeiten/news/posts?limit=100', 'editor'),
        200,
      );
      expect(list.items.map((item) => item.id)).not.toContain(post.id);
      expect((await call('GET', `/groups/neuigkeiten/news/posts/${post.id}`, 'editor')).status).toBe(200);
      expect((await call('GET', `/groups/neuigkeiten/news/posts/${post.id}`, 'anonymous')).status).toBe(404);
    });
  });

  describe('alerts', () => {
    it('lists active alerts until a moderator resolves them with a follow-up', async () => {
      const alert = await create(
        'editor',
        'neuigkeiten',
        postBody({ urgency: 'urgent', title: 'Hochwasser' }),
      );
      const alerts = async (who: Who) =>
        (await json<{ items: PostView[] }>(await call('GET', '/news/alerts', who), 200)).items.map(
          (item) => item.id,
        );
      expect(await alerts('anonymous')).toContain(alert.id);
      expect(await alerts('outsider')).toContain(alert.id);

      const path = `/groups/neuigkeiten/news/posts/${alert.id}/resolve`;
      const followUp = { followUp: 'Entwarnung: **Pegel** sinkt. <script>alert(1)</script>' };
      expect((await call('POST', path, 'member', followUp)).status).toBe(403);
      expect((await call('POST', path, 'anonymous', followUp)).status).toBe(401);
      const bad = await json<Problem>(await call('POST', path, 'editor', { followUp: '', extra: 1 }), 400);
      expect(bad.errors?.map((error) => error.path).sort()).toEqual(['(root)', 'followUp']);
      const plain = await create('editor', 'neuigkeiten', postBody());
      expect(
        (await call('POST', `/groups/neuigkeiten/news/posts/${plain.id}/resolve`, 'editor', followUp)).status,
      ).toBe(409);

      const resolved = await json<PostView>(await call('POST', path, 'editor', followUp), 200);
      expect(resolved.resolved).toMatchObject({ followUp: followUp.followUp });
      expect(resolved.resolved!.followUpHtml).toContain('<strong>Pegel</strong>');
      expect(resolved.resolved!.followUpHtml).not.toMatch(/<script/i);
      expect((await call('POST', path, 'editor', followUp)).status).toBe(409);
      expect(await alerts('anonymous')).not.toContain(alert.id);

      expect((await outboxFor(alert.id)).map((event) => event.topic)).toEqual([
        'news.post.published',
        'news.alert.resolved',
      ]);
      expect((await auditFor(alert.id)).map((event) => [event.action, event.actorMemberId])).toEqual([
        ['news.alert.resolved', memberIds.editor],
      ]);
    });

    it('resolves an alert once when moderators resolve it at the same time', async () => {
      const alert = await create('editor', 'neuigkeiten', postBody({ urgency: 'urgent', title: 'Gasleck' }));
      const path = `/groups/neuigkeiten/news/posts/${alert.id}/resolve`;
      const who = ['editor', 'admin', 'editor', 'admin', 'editor', 'admin', 'editor', 'admin'] as const;
      const statuses = await Promise.all(
        who.map(async (moderator) => (await call('POST', path, moderator, { followUp: 'Erledigt' })).status),
      );
      expect(statuses.sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
      expect((await outboxFor(alert.id)).map((event) => event.topic)).toEqual([
        'news.post.published',
        'news.alert.resolved',
      ]);
      expect((await auditFor(alert.id)).map((event) => event.action)).toEqual(['news.alert.resolved']);
    });

    it('shows alerts of groups the caller may not read to nobody else', async () => {
      const secret = await create('editor', 'vorstand', postBody({ urgency: 'urgent', title: 'Intern' }));
      const ids = async (who: Who) =>
        (await json<{ items: PostView[] }>(await call('GET', '/news/alerts', who), 200)).items.map(
          (item) => item.id,
        );
      expect(await ids('editor')).toContain(secret.id);
      expect(await ids('admin')).toContain(secret.id);
      expect(await ids('member')).not.toContain(secret.id);
      expect(await ids('anonymous')).not.toContain(secret.id);
      // Nor through another group's path.
      expect((await call('GET', `/groups/neuigkeiten/news/posts/${secret.id}`, 'member')).status).toBe(404);
      expect((await call('GET', `/groups/neuigkeiten/news/posts/${secret.id}`, 'editor')).status).toBe(404);
    });

    it('answers 304 to a poll with the current ETag', async () => {
      const first = await call('GET', '/news/alerts', 'member');
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^W\//);
      const again = await call('GET', '/news/alerts', 'member', undefined, { 'if-none-match': etag });
      expect(again.status).toBe(304);
      await create('editor', 'neuigkeiten', postBody({ urgency: 'urgent', title: 'Stromausfall' }));
      const changed = await call('GET', '/news/alerts', 'member', undefined, { 'if-none-match': etag });
      expect(changed.status).toBe(200);
    });
  });

  describe('feed', () => {
    const sortKey = (post: PostView) => [
      post.urgency === 'urgent' && !post.resolved ? 1 : 0,
      post.pinned ? 1 : 0,
      post.publishAt,
      post.id,
    ];
    const compare = (a: PostView, b: PostView) => {
      const [x, y] = [sortKey(a), sortKey(b)];
      for (let i = 0; i < x.length; i++) if (x[i]! !== y[i]!) return x[i]! > y[i]! ? -1 : 1;
      return 0;
    };
    const wholeFeed = async (who: Who, limit: number) => {
      const items: PostView[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const page: PostPage = await json<PostPage>(await call('GET', `/news/feed${query}`, who), 200);
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    };

    it('shows each caller the published posts of the groups they may read: alerts, pinned, newest', async () => {
      const pinned = await create('editor', 'verwaltung', postBody({ title: 'Angeheftet', pinned: true }));
      await create('member', 'verwaltung', postBody({ title: 'Ganz neu' }));
      const feed = await wholeFeed('bystander', 100);
      expect(feed.length).toBeGreaterThan(5);
      expect([...feed].sort(compare).map((post) => post.id)).toEqual(feed.map((post) => post.id));
      expect(new Set(feed.map((post) => post.group))).toEqual(new Set(['neuigkeiten', 'verwaltung']));
      // Active alerts on top, then the pinned post above newer ones.
      const firstPlain = feed.findIndex((post) => !(post.urgency === 'urgent' && !post.resolved));
      expect(feed[0]!.urgency).toBe('urgent');
      expect(feed[firstPlain]!.id).toBe(pinned.id);
      expect(feed.every((post) => Date.parse(post.publishAt) <= Date.now())).toBe(true);
      expect(feed.every((post) => !post.expiresAt || Date.parse(post.expiresAt) > Date.now())).toBe(true);

      const anonymous = await wholeFeed('anonymous', 100);
      expect(new Set(anonymous.map((post) => post.group))).toEqual(new Set(['neuigkeiten']));
      const editor = await wholeFeed('editor', 100);
      expect(editor.map((post) => post.group)).toContain('vorstand');
      expect(JSON.stringify(editor)).not.toContain('@');
    });

    it('pages through the feed with a cursor, each post once, in the same order', async () => {
      const all = await wholeFeed('editor', 100);
      const paged = await wholeFeed('editor', 2);
      expect(paged.map((post) => post.id)).toEqual(all.map((post) => post.id));
      expect((await call('GET', '/news/feed?cursor=bm9wZQ', 'editor')).status).toBe(400);
      expect((await call('GET', '/news/feed?sort=old', 'editor')).status).toBe(400);
    });

    it('pages and filters a group list', async () => {
      const all = (
        await json<PostPage>(await call('GET', '/groups/neuigkeiten/news/posts?limit=100', 'member'), 200)
      ).items;
      const paged: PostView[] = [];
      let cursor: string | null = null;
      do {
        const page: PostPage = await json<PostPage>(
          await call(
            'GET',
            `/groups/neuigkeiten/news/posts?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
            'member',
          ),
          200,
        );
        paged.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged.map((post) => post.id)).toEqual(all.map((post) => post.id));
      const fire = (
        await json<PostPage>(
          await call('GET', '/groups/neuigkeiten/news/posts?category=feuerwehr&limit=100', 'member'),
          200,
        )
      ).items;
      expect(fire.length).toBeGreaterThan(0);
      expect(fire.every((post) => post.category.key === 'feuerwehr')).toBe(true);
      expect(fire.length).toBeLessThan(all.length);
      const first = await call('GET', '/groups/neuigkeiten/news/posts', 'anonymous');
      const etag = first.headers.get('etag')!;
      const again = await call('GET', '/groups/neuigkeiten/news/posts', 'anonymous', undefined, {
        'if-none-match': etag,
      });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    });

    it('answers 304 to a feed poll with the current ETag', async () => {
      const first = await call('GET', '/news/feed', 'bystander');
      const etag = first.headers.get('etag')!;
      expect(
        (await call('GET', '/news/feed', 'bystander', undefined, { 'if-none-match': etag })).status,
      ).toBe(304);
      await create('member', 'verwaltung', postBody({ title: 'Noch eine' }));
      expect(
        (await call('GET', '/news/feed', 'bystander', undefined, { 'if-none-match': etag })).status,
      ).toBe(200);
    });
  });

  it('describes every news route with its request and response schemas in the OpenAPI document', async () => {
    const document = (await (await fetch(`${base}/api/docs-json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          { tags?: string[]; requestBody?: unknown; responses: Record<string, { content?: unknown }> }
        >
      >;
    };
    const group = '/api/tenants/{tenant}/groups/{group}/news/posts';
    const routes: [string, string, boolean][] = [
      [group, 'get', false],
      [group, 'post', true],
      [`${group}/{post}`, 'get', false],
      [`${group}/{post}`, 'patch', true],
      [`${group}/{post}`, 'delete', false],
      [`${group}/{post}/resolve`, 'post', true],
      ['/api/tenants/{tenant}/news/feed', 'get', false],
      ['/api/tenants/{tenant}/news/alerts', 'get', false],
    ];
    for (const [path, method, hasBody] of routes) {
      const operation = document.paths[path]?.[method];
      expect({ path, method, tags: operation?.tags }).toEqual({ path, method, tags: ['news'] });
      if (hasBody) expect(operation!.requestBody).toBeDefined();
      if (method !== 'delete') {
        const ok = operation!.responses['200'] ?? operation!.responses['201'];
        expect({ path, method, content: ok?.content }).toEqual({ path, method, content: expect.anything() });
      }
    }
  });
});
