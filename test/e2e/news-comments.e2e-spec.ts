import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AuditEventSchema } from '@allmende/content';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type GroupVisibility } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { NewsCommentSchema, NewsPostSchema } from '@allmende/news';
import type { Tenant } from '@allmende/tenants';
import { expectJson, tenantApi } from '../support/api-client';
import { createTenant, openOrm } from '../support/fixtures';
import { startApiWithIdentityProvider } from '../support/identity';

interface CommentView {
  id: string;
  postId: string;
  body: string;
  bodyHtml: string;
  author: { memberId: string; name: string };
  hidden: boolean;
  createdAt: string;
}
interface CommentPage {
  items: CommentView[];
  nextCursor: string | null;
}

/** Comments on news posts through the API, with real tokens from the dev identity provider. */
describe('news comments', () => {
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
    /** group_admin of every group. */
    editor: person('gerd.kommentar@example.org', 'Gerd', 'Redaktion'),
    /** member of the community, in no group: a resident. */
    resident: person('rosa.kommentar@example.org', 'Rosa', 'Anwohnerin'),
    /** another resident. */
    neighbour: person('nils.kommentar@example.org', 'Nils', 'Nachbar'),
    /** member of another community only. */
    outsider: person('otto.kommentar@example.org', 'Otto', 'Anderswo'),
  };
  type Who = keyof typeof people | 'anonymous';
  const call = tenantApi(
    () => ({ base, idp }),
    people,
    () => tenant.slug,
  );
  const otherCall = tenantApi(
    () => ({ base, idp }),
    people,
    () => other.slug,
  );
  /** Post ids by group key. */
  const posts: Record<string, string> = {};
  let otherPost: string;

  const comments = (group: string) => `/groups/${group}/news/posts/${posts[group]}/comments`;
  const comment = async (who: Who, group: string, body: string) =>
    expectJson<CommentView>(await call('POST', comments(group), who, { body }), 201);
  const list = async (who: Who, group: string, query = '') =>
    expectJson<CommentPage>(await call('GET', `${comments(group)}${query}`, who), 200);

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Kommentare');
    other = await createTenant(orm, 'Ortsgemeinde Anderswo');
    const seedPost = async (
      tenantId: string,
      groups: { key: string; visibility: GroupVisibility; comments?: boolean }[],
      editorEmail: string,
      members: (keyof typeof people)[],
    ) =>
      new TenantScope(orm).run(tenantId, async (em) => {
        const editor = em.create(MemberSchema, {
          email: editorEmail,
          givenName: 'Gerd',
          familyName: 'Redaktion',
        });
        for (const who of members) {
          em.create(MemberSchema, {
            email: people[who].email,
            givenName: people[who].givenName,
            familyName: people[who].familyName,
          });
        }
        const ids: Record<string, string> = {};
        for (const { key, visibility, comments: allowed } of groups) {
          const group = em.create(GroupSchema, { key, name: { de: key }, visibility, joinPolicy: 'open' });
          em.create(GroupModuleSchema, {
            group,
            module: 'news',
            settings: {
              categories: [{ key: 'baustellen', name: { de: 'Baustellen' } }],
              ...(allowed === undefined ? {} : { comments: allowed }),
            },
          });
          em.create(GroupMemberSchema, { group, member: editor, role: 'group_admin' });
          const post = em.create(NewsPostSchema, {
            group,
            author: editor,
            categoryKey: 'baustellen',
            title: `Baustelle ${key}`,
            body: 'Die Hauptstraße ist ab Montag gesperrt.',
          });
          ids[key] = post.id;
        }
        await em.flush();
        return ids;
      });
    Object.assign(
      posts,
      await seedPost(
        tenant.id,
        [
          { key: 'neuigkeiten', visibility: 'public' },
          { key: 'verwaltung', visibility: 'members' },
          { key: 'vorstand', visibility: 'private' },
          { key: 'amtsblatt', visibility: 'public', comments: false },
        ],
        people.editor.email,
        ['resident', 'neighbour'],
      ),
    );
    otherPost = (
      await seedPost(other.id, [{ key: 'neuigkeiten', visibility: 'public' }], 'redaktion@anderswo.example', [
        'outsider',
      ])
    ).neuigkeiten!;
    ({ app, idp, base } = await startApiWithIdentityProvider(Object.values(people)));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  it('lets residents comment on public and members-only posts; everyone who reads the post reads them', async () => {
    const written = await comment('resident', 'neuigkeiten', 'Wie lange dauert die **Sperrung**?');
    expect(written).toMatchObject({
      postId: posts.neuigkeiten,
      body: 'Wie lange dauert die **Sperrung**?',
      author: { name: 'Rosa Anwohnerin' },
      hidden: false,
    });
    expect(written.bodyHtml).toContain('<strong>Sperrung</strong>');
    expect(JSON.stringify(written)).not.toContain('@example.org');
    for (const who of ['anonymous', 'outsider', 'neighbour', 'editor'] as const) {
      expect((await list(who, 'neuigkeiten')).items.map((item) => item.id)).toEqual([written.id]);
    }
    await comment('neighbour', 'verwaltung', 'Danke für die Info.');
    expect((await call('GET', comments('verwaltung'), 'anonymous')).status).toBe(404);
    expect((await call('GET', comments('verwaltung'), 'outsider')).status).toBe(404);
    expect((await list('resident', 'verwaltung')).items).toHaveLength(1);
  });

  it('refuses comments from anonymous callers, other communities, unreadable groups and groups without comments', async () => {
    const cases: [Who, string, number][] = [
      ['anonymous', 'neuigkeiten', 401],
      ['outsider', 'neuigkeiten', 403],
      ['resident', 'vorstand', 404],
      ['resident', 'amtsblatt', 403],
    ];
    for (const [who, group, status] of cases) {
      const response = await call('POST', comments(group), who, { body: 'Hallo' });
      expect({ who, group, status: response.status }).toEqual({ who, group, status });
    }
    expect(await list('editor', 'amtsblatt')).toEqual({ items: [], nextCursor: null });
  });

  it('rejects empty, overlong and unknown fields with 400, writing nothing', async () => {
    const before = (await list('editor', 'vorstand')).items.length;
    for (const body of [{ body: '   ' }, { body: 'x'.repeat(5_001) }, { body: 'ok', extra: 1 }, {}]) {
      const response = await call('POST', comments('vorstand'), 'editor', body);
      expect(response.status).toBe(400);
    }
    expect((await list('editor', 'vorstand')).items).toHaveLength(before);
    expect((await call('GET', `/groups/neuigkeiten/news/posts/not-a-uuid/comments`, 'resident')).status).toBe(
      400,
    );
  });

  it('pages oldest first with a cursor, each comment once', async () => {
    const written: string[] = [];
    for (let i = 0; i < 5; i += 1) written.push((await comment('editor', 'vorstand', `Nachtrag ${i}`)).id);
    const first = await list('editor', 'vorstand', '?limit=3');
    const second = await list('editor', 'vorstand', `?limit=3&cursor=${first.nextCursor}`);
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].map((item) => item.id)).toEqual(written);
  });

  it('lets moderators hide and show comments (audited); hidden ones only for them and the author', async () => {
    const written = await comment('neighbour', 'neuigkeiten', 'Werbung: billige Uhren!');
    expect((await call('POST', `${comments('neuigkeiten')}/${written.id}/hide`, 'resident')).status).toBe(
      403,
    );
    const hidden = await expectJson<CommentView>(
      await call('POST', `${comments('neuigkeiten')}/${written.id}/hide`, 'editor'),
      200,
    );
    expect(hidden.hidden).toBe(true);
    const ids = async (who: Who) => (await list(who, 'neuigkeiten')).items.map((item) => item.id);
    expect(await ids('anonymous')).not.toContain(written.id);
    expect(await ids('resident')).not.toContain(written.id);
    expect(await ids('neighbour')).toContain(written.id);
    expect(await ids('editor')).toContain(written.id);
    // Somebody else's hidden comment does not exist for a non-moderator.
    expect((await call('DELETE', `${comments('neuigkeiten')}/${written.id}`, 'resident')).status).toBe(404);

    await expectJson(await call('POST', `${comments('neuigkeiten')}/${written.id}/unhide`, 'editor'), 200);
    expect(await ids('resident')).toContain(written.id);
    const audit = await new TenantScope(orm).run(tenant.id, (em) =>
      em.find(AuditEventSchema, { entityId: written.id }, { orderBy: { createdAt: 'asc' } }),
    );
    expect(audit.map((event) => event.action)).toEqual(['news.comment.hidden', 'news.comment.unhidden']);
  });

  it('lets authors delete their own comments and moderators any (audited), nobody else', async () => {
    const own = await comment('resident', 'neuigkeiten', 'Tippfehler');
    const theirs = await comment('neighbour', 'neuigkeiten', 'Beleidigung');
    expect((await call('DELETE', `${comments('neuigkeiten')}/${theirs.id}`, 'resident')).status).toBe(403);
    expect((await call('DELETE', `${comments('neuigkeiten')}/${own.id}`, 'resident')).status).toBe(204);
    expect((await call('DELETE', `${comments('neuigkeiten')}/${theirs.id}`, 'editor')).status).toBe(204);
    expect((await call('DELETE', `${comments('neuigkeiten')}/${theirs.id}`, 'editor')).status).toBe(404);
    const remaining = (await list('editor', 'neuigkeiten')).items.map((item) => item.id);
    expect(remaining).not.toContain(own.id);
    expect(remaining).not.toContain(theirs.id);
    const audit = await new TenantScope(orm).run(tenant.id, (em) =>
      em.find(AuditEventSchema, { entityId: { $in: [own.id, theirs.id] } }),
    );
    expect(audit.map((event) => [event.entityId, event.action])).toEqual([
      [theirs.id, 'news.comment.deleted'],
    ]);
  });

  it("keeps communities apart: another community's post and comments are out of reach", async () => {
    const outside = await expectJson<CommentView>(
      await otherCall('POST', `/groups/neuigkeiten/news/posts/${otherPost}/comments`, 'outsider', {
        body: 'Geheim in Anderswo',
      }),
      201,
    );
    // Through the API: the other community's post id under this community's path.
    expect(
      (await call('GET', `/groups/neuigkeiten/news/posts/${otherPost}/comments`, 'resident')).status,
    ).toBe(404);
    expect(
      (await call('POST', `/groups/neuigkeiten/news/posts/${otherPost}/comments`, 'resident', { body: 'x' }))
        .status,
    ).toBe(404);
    expect(
      (
        await call(
          'DELETE',
          `/groups/neuigkeiten/news/posts/${posts.neuigkeiten}/comments/${outside.id}`,
          'editor',
        )
      ).status,
    ).toBe(404);
    // In the database, with the ORM's tenant filter off: row-level security still holds.
    await new TenantScope(orm).run(tenant.id, async (em) => {
      expect(await em.count(NewsCommentSchema, { id: outside.id }, { filters: false })).toBe(0);
      const updated = await em.nativeUpdate(
        NewsCommentSchema,
        { id: outside.id },
        { body: 'überschrieben' },
        { filters: false },
      );
      expect(updated).toBe(0);
    });
    await expect(
      new TenantScope(orm).run(tenant.id, async (em) => {
        const resident = await em.findOneOrFail(MemberSchema, { email: people.resident.email });
        em.create(NewsCommentSchema, {
          post: em.getReference(NewsPostSchema, otherPost),
          author: resident,
          body: 'quer hinein',
        });
        await em.flush();
      }),
    ).rejects.toThrow(/news_comments_post_fk/);
    await new TenantScope(orm).run(other.id, async (em) => {
      const kept = await em.findOneOrFail(NewsCommentSchema, { id: outside.id });
      expect(kept.body).toBe('Geheim in Anderswo');
    });
  });

  it('deletes the comments with their post', async () => {
    const written = await comment('resident', 'verwaltung', 'Bis bald');
    expect((await call('DELETE', `/groups/verwaltung/news/posts/${posts.verwaltung}`, 'editor')).status).toBe(
      204,
    );
    await new TenantScope(orm).run(tenant.id, async (em) => {
      expect(await em.count(NewsCommentSchema, { id: written.id })).toBe(0);
    });
  });
});
