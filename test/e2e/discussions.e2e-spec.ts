import type { MikroORM } from '@mikro-orm/postgresql';
import { AuditEventSchema, OutboxEventSchema } from '@allmende/content';
import { TenantScope } from '@allmende/db';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type GroupVisibility } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../support/fixtures';
import { startApiWithIdentityProvider, type ApiWithIdentity } from '../support/identity';
import { expectJson, tenantApi } from '../support/api-client';

interface Thread {
  id: string;
  title: string | null;
  body: string | null;
  bodyHtml: string | null;
  author: { memberId: string; givenName: string; familyName: string } | null;
  mine: boolean;
  editedAt: string | null;
  lastActivityAt: string;
  commentCount: number;
  thanksCount: number;
  thankedByMe: boolean;
  locked: boolean;
  hidden: boolean;
  deleted: boolean;
  group: { id: string; key: string };
}
interface Comment {
  id: string;
  body: string | null;
  bodyHtml: string | null;
  author: { givenName: string } | null;
  mine: boolean;
  thanksCount: number;
  thankedByMe: boolean;
  hidden: boolean;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
type ThreadDetail = Thread & { comments: Page<Comment> };

/** The discussions module through the API, with real tokens from a dev identity provider. */
describe('discussions', () => {
  let orm: MikroORM;
  let api: ApiWithIdentity;
  let tenant: Tenant;
  let other: Tenant;
  const people = {
    tenantAdmin: {
      email: 'rita.rathaus@example.org',
      givenName: 'Rita',
      familyName: 'Rathaus',
      emailVerified: true,
    },
    groupAdmin: {
      email: 'gustav.garten@example.org',
      givenName: 'Gustav',
      familyName: 'Garten',
      emailVerified: true,
    },
    member: {
      email: 'mia.mitglied@example.org',
      givenName: 'Mia',
      familyName: 'Mitglied',
      emailVerified: true,
    },
    member2: {
      email: 'max.mitglied@example.org',
      givenName: 'Max',
      familyName: 'Mitglied',
      emailVerified: true,
    },
    outsider: {
      email: 'otto.ausserhalb@example.org',
      givenName: 'Otto',
      familyName: 'Außerhalb',
      emailVerified: true,
    },
    foreign: {
      email: 'fiona.fremd@example.org',
      givenName: 'Fiona',
      familyName: 'Fremd',
      emailVerified: true,
    },
  };
  type Who = keyof typeof people | 'anonymous';
  const memberIds: Record<string, string> = {};

  const call = tenantApi(
    () => api,
    people,
    () => tenant.slug,
  );

  const json = expectJson;

  const startThread = async (group: string, who: Who, title = 'Kompost im Winter?') =>
    json<Thread>(
      await call('POST', `/groups/${group}/discussions/threads`, who, { title, body: 'Wie macht ihr das?' }),
      201,
    );
  const inTenant = <T>(fn: (em: Parameters<Parameters<TenantScope['run']>[1]>[0]) => Promise<T>) =>
    new TenantScope(orm).run(tenant.id, fn);

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Gesprächig');
    other = await createTenant(orm, 'Nachbargemeinde');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const member = (who: keyof typeof people, role: 'tenant_admin' | 'member' = 'member') => {
        const row = em.create(MemberSchema, {
          email: people[who].email,
          givenName: people[who].givenName,
          familyName: people[who].familyName,
          role,
        });
        memberIds[who] = row.id;
        return row;
      };
      member('tenantAdmin', 'tenant_admin');
      const groupAdmin = member('groupAdmin');
      const mia = member('member');
      const max = member('member2');
      member('outsider');
      const group = (key: string, visibility: GroupVisibility, discussions = true) => {
        const row = em.create(GroupSchema, { key, name: { de: key }, visibility, joinPolicy: 'open' });
        if (discussions) em.create(GroupModuleSchema, { group: row, module: 'discussions', settings: {} });
        em.create(GroupMemberSchema, { group: row, member: groupAdmin, role: 'group_admin' });
        em.create(GroupMemberSchema, { group: row, member: mia });
        em.create(GroupMemberSchema, { group: row, member: max });
        return row;
      };
      group('garten', 'public');
      group('nachbarn', 'members');
      group('vorstand', 'private');
      group('ohne', 'members', false);
      await em.flush();
    });
    await new TenantScope(orm).run(other.id, async (em) => {
      em.create(MemberSchema, { email: people.foreign.email, givenName: 'Fiona', familyName: 'Fremd' });
      await em.flush();
    });
    api = await startApiWithIdentityProvider(Object.values(people));
  });

  afterAll(async () => {
    await api?.stop();
    await orm?.close(true);
  });

  describe('who may read and write', () => {
    const readers: [GroupVisibility, string, Record<Who, number>][] = [
      [
        'public',
        'garten',
        {
          anonymous: 200,
          foreign: 200,
          outsider: 200,
          member: 200,
          groupAdmin: 200,
          member2: 200,
          tenantAdmin: 200,
        },
      ],
      [
        'members',
        'nachbarn',
        {
          anonymous: 404,
          foreign: 404,
          outsider: 200,
          member: 200,
          groupAdmin: 200,
          member2: 200,
          tenantAdmin: 200,
        },
      ],
      [
        'private',
        'vorstand',
        {
          anonymous: 404,
          foreign: 404,
          outsider: 404,
          member: 200,
          groupAdmin: 200,
          member2: 200,
          tenantAdmin: 200,
        },
      ],
    ];
    it.each(readers)('reads a %s group as the matrix says', async (_visibility, group, expected) => {
      const thread = await startThread(group, 'member');
      for (const [who, status] of Object.entries(expected) as [Who, number][]) {
        expect([who, (await call('GET', `/groups/${group}/discussions/threads`, who)).status]).toEqual([
          who,
          status,
        ]);
        expect([
          who,
          (await call('GET', `/groups/${group}/discussions/threads/${thread.id}`, who)).status,
        ]).toEqual([who, status]);
      }
    });

    const writers: [GroupVisibility, string, Record<Who, number>][] = [
      // The tenant admin is no member of these groups: reading yes, writing no (moderating yes).
      [
        'public',
        'garten',
        {
          anonymous: 401,
          foreign: 403,
          outsider: 403,
          member: 201,
          groupAdmin: 201,
          member2: 201,
          tenantAdmin: 403,
        },
      ],
      [
        'members',
        'nachbarn',
        {
          anonymous: 401,
          foreign: 404,
          outsider: 403,
          member: 201,
          groupAdmin: 201,
          member2: 201,
          tenantAdmin: 403,
        },
      ],
      [
        'private',
        'vorstand',
        {
          anonymous: 401,
          foreign: 404,
          outsider: 404,
          member: 201,
          groupAdmin: 201,
          member2: 201,
          tenantAdmin: 403,
        },
      ],
    ];
    it.each(writers)('writes in a %s group as the matrix says', async (_visibility, group, expected) => {
      const thread = await startThread(group, 'groupAdmin');
      for (const [who, status] of Object.entries(expected) as [Who, number][]) {
        const created = await call('POST', `/groups/${group}/discussions/threads`, who, {
          title: 'Hallo',
          body: 'Text',
        });
        expect([who, created.status]).toEqual([who, status]);
        const commented = await call(
          'POST',
          `/groups/${group}/discussions/threads/${thread.id}/comments`,
          who,
          { body: 'Ja' },
        );
        expect([who, commented.status]).toEqual([who, status]);
      }
    });

    it('answers 404 for a group without the module, and for unknown threads', async () => {
      expect((await call('GET', '/groups/ohne/discussions/threads', 'member')).status).toBe(404);
      expect(
        (await call('POST', '/groups/ohne/discussions/threads', 'member', { title: 'x', body: 'y' })).status,
      ).toBe(404);
      expect(
        (
          await call(
            'GET',
            '/groups/garten/discussions/threads/0195f0a4-0000-7000-8000-000000000000',
            'member',
          )
        ).status,
      ).toBe(404);
      // A thread of another group is not found through this one.
      const secret = await startThread('vorstand', 'member');
      expect((await call('GET', `/groups/garten/discussions/threads/${secret.id}`, 'member')).status).toBe(
        404,
      );
    });
  });

  it('rejects invalid and unknown fields with 400 and field paths', async () => {
    const bad = await call('POST', '/groups/garten/discussions/threads', 'member', {
      title: '',
      body: 'x',
      tenantId: 'b',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await bad.json()) as { errors: { path: string; message: string }[] };
    expect(problem.errors.map((error) => error.path).sort()).toEqual(['(root)', 'title']);
    expect(problem.errors.find((error) => error.path === '(root)')!.message).toContain('tenantId');
    const thread = await startThread('garten', 'member');
    const comment = await call('POST', `/groups/garten/discussions/threads/${thread.id}/comments`, 'member', {
      body: '   ',
    });
    expect(comment.status).toBe(400);
    expect(((await comment.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('body');
    expect(
      (await call('PATCH', `/groups/garten/discussions/threads/${thread.id}`, 'member', {})).status,
    ).toBe(400);
    expect((await call('GET', '/groups/garten/discussions/threads/kein-uuid', 'member')).status).toBe(400);
    expect((await call('GET', '/groups/garten/discussions/threads?limit=1000', 'member')).status).toBe(400);
    expect((await call('GET', '/groups/garten/discussions/threads?cursor=kaputt', 'member')).status).toBe(
      400,
    );
  });

  it('stores Markdown as written and renders it inert', async () => {
    const body =
      'Hallo **Nachbarn** <script>alert(1)</script> <img src=x onerror="alert(2)"> [klick](javascript:alert(3))';
    const thread = await json<Thread>(
      await call('POST', '/groups/garten/discussions/threads', 'member', { title: '<b>Titel</b>', body }),
      201,
    );
    const comment = await json<Comment>(
      await call('POST', `/groups/garten/discussions/threads/${thread.id}/comments`, 'member2', { body }),
      201,
    );
    const read = await json<ThreadDetail>(
      await call('GET', `/groups/garten/discussions/threads/${thread.id}`, 'anonymous'),
      200,
    );
    for (const item of [thread, comment, read, read.comments.items[0]!]) {
      expect(item.body).toBe(body);
      expect(item.bodyHtml).toContain('<strong>Nachbarn</strong>');
      // The only tags are the ones Markdown made; the rest is escaped text, no link to javascript:.
      expect(item.bodyHtml!.match(/<\/?[a-z]+/gi)!.sort()).toEqual(['</p', '</strong', '<p', '<strong']);
      expect(item.bodyHtml).toContain('&lt;script&gt;');
      expect(item.bodyHtml).not.toMatch(/href/i);
    }
    expect(read.title).toBe('<b>Titel</b>'); // plain text, escaped by whoever displays it
    expect(read.comments.items[0]!.id).toBe(comment.id);
  });

  it('writes outbox rows with the thread and the comment, naming author and participants', async () => {
    const thread = await startThread('nachbarn', 'member', 'Outbox');
    await json(
      await call('POST', `/groups/nachbarn/discussions/threads/${thread.id}/comments`, 'member2', {
        body: 'Eins',
      }),
      201,
    );
    const second = await json<Comment>(
      await call('POST', `/groups/nachbarn/discussions/threads/${thread.id}/comments`, 'groupAdmin', {
        body: 'Zwei',
      }),
      201,
    );
    const events = await inTenant((em) => em.find(OutboxEventSchema, { topic: { $like: 'discussions.%' } }));
    const created = events.find(
      (event) => event.topic === 'discussions.thread.created' && event.payload.threadId === thread.id,
    );
    expect(created?.payload).toEqual({
      groupId: thread.group.id,
      threadId: thread.id,
      authorMemberId: memberIds.member,
    });
    const commented = events.find(
      (event) => event.topic === 'discussions.comment.created' && event.payload.commentId === second.id,
    );
    expect(commented?.payload).toEqual({
      groupId: thread.group.id,
      threadId: thread.id,
      commentId: second.id,
      authorMemberId: memberIds.groupAdmin,
      threadAuthorMemberId: memberIds.member,
      participantMemberIds: [memberIds.member2],
    });
    expect(JSON.stringify(events.map((event) => event.payload))).not.toContain('@');
  });

  it('lists threads by latest activity with a stable cursor, and comments oldest first', async () => {
    const older = await startThread('vorstand', 'member', 'Älter');
    const newer = await startThread('vorstand', 'member', 'Neuer');
    // A comment brings the older thread to the top.
    await json(
      await call('POST', `/groups/vorstand/discussions/threads/${older.id}/comments`, 'member2', {
        body: 'Erster',
      }),
      201,
    );
    await json(
      await call('POST', `/groups/vorstand/discussions/threads/${older.id}/comments`, 'member', {
        body: 'Zweiter',
      }),
      201,
    );
    await json(
      await call('POST', `/groups/vorstand/discussions/threads/${older.id}/comments`, 'member2', {
        body: 'Dritter',
      }),
      201,
    );
    const all = await json<Page<Thread>>(
      await call('GET', '/groups/vorstand/discussions/threads?limit=100', 'member'),
      200,
    );
    expect(all.items.slice(0, 2).map((thread) => thread.id)).toEqual([older.id, newer.id]);
    expect(all.items[0]!.commentCount).toBe(3);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Thread> = await json<Page<Thread>>(
        await call(
          'GET',
          `/groups/vorstand/discussions/threads?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          'member',
        ),
        200,
      );
      ids.push(...page.items.map((thread) => thread.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toEqual(all.items.map((thread) => thread.id));

    const first = await json<ThreadDetail>(
      await call('GET', `/groups/vorstand/discussions/threads/${older.id}?limit=2`, 'member'),
      200,
    );
    expect(first.comments.items.map((comment) => comment.body)).toEqual(['Erster', 'Zweiter']);
    expect(first.comments.items[0]!.author).toEqual({
      memberId: memberIds.member2,
      givenName: 'Max',
      familyName: 'Mitglied',
    });
    expect(JSON.stringify(first)).not.toContain('@example.org');
    const rest = await json<ThreadDetail>(
      await call(
        'GET',
        `/groups/vorstand/discussions/threads/${older.id}?limit=2&cursor=${first.comments.nextCursor!}`,
        'member',
      ),
      200,
    );
    expect(rest.comments.items.map((comment) => comment.body)).toEqual(['Dritter']);
    expect(rest.comments.nextCursor).toBeNull();
  });

  it('answers polled reads with an ETag and 304 while nothing changed', async () => {
    const thread = await startThread('garten', 'member', 'ETag');
    const first = await call('GET', `/groups/garten/discussions/threads/${thread.id}`, 'member');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\//);
    expect(
      (
        await call('GET', `/groups/garten/discussions/threads/${thread.id}`, 'member', undefined, {
          'if-none-match': etag,
        })
      ).status,
    ).toBe(304);
    await json(
      await call('POST', `/groups/garten/discussions/threads/${thread.id}/comments`, 'member2', {
        body: 'Neu',
      }),
      201,
    );
    expect(
      (
        await call('GET', `/groups/garten/discussions/threads/${thread.id}`, 'member', undefined, {
          'if-none-match': etag,
        })
      ).status,
    ).toBe(200);
    const list = await call('GET', '/discussions/threads', 'member');
    expect(
      (
        await call('GET', '/discussions/threads', 'member', undefined, {
          'if-none-match': list.headers.get('etag')!,
        })
      ).status,
    ).toBe(304);
  });

  it('counts thanks, once per person, never for oneself; un-thanking is idempotent', async () => {
    const thread = await startThread('garten', 'member', 'Danke');
    const comment = await json<Comment>(
      await call('POST', `/groups/garten/discussions/threads/${thread.id}/comments`, 'member2', {
        body: 'Gern',
      }),
      201,
    );
    const path = `/groups/garten/discussions/threads/${thread.id}`;
    expect((await call('PUT', `${path}/thanks`, 'member')).status).toBe(403);
    expect((await call('PUT', `${path}/comments/${comment.id}/thanks`, 'member2')).status).toBe(403);
    expect((await call('PUT', `${path}/thanks`, 'outsider')).status).toBe(403);
    expect((await call('PUT', `${path}/thanks`, 'anonymous')).status).toBe(401);
    expect(await json(await call('PUT', `${path}/thanks`, 'member2'), 200)).toEqual({
      thanksCount: 1,
      thankedByMe: true,
    });
    expect(await json(await call('PUT', `${path}/thanks`, 'member2'), 200)).toEqual({
      thanksCount: 1,
      thankedByMe: true,
    });
    expect(await json(await call('PUT', `${path}/thanks`, 'groupAdmin'), 200)).toEqual({
      thanksCount: 2,
      thankedByMe: true,
    });
    expect(await json(await call('PUT', `${path}/comments/${comment.id}/thanks`, 'member'), 200)).toEqual({
      thanksCount: 1,
      thankedByMe: true,
    });
    const asMia = await json<ThreadDetail>(await call('GET', path, 'member'), 200);
    expect([asMia.thanksCount, asMia.thankedByMe]).toEqual([2, false]);
    expect([asMia.comments.items[0]!.thanksCount, asMia.comments.items[0]!.thankedByMe]).toEqual([1, true]);
    const asMax = await json<ThreadDetail>(await call('GET', path, 'member2'), 200);
    expect([asMax.thanksCount, asMax.thankedByMe]).toEqual([2, true]);
    expect(await json(await call('DELETE', `${path}/thanks`, 'member2'), 200)).toEqual({
      thanksCount: 1,
      thankedByMe: false,
    });
    expect(await json(await call('DELETE', `${path}/thanks`, 'member2'), 200)).toEqual({
      thanksCount: 1,
      thankedByMe: false,
    });
    const listed = await json<Page<Thread>>(
      await call('GET', '/groups/garten/discussions/threads?limit=100', 'groupAdmin'),
      200,
    );
    expect(listed.items.find((item) => item.id === thread.id)).toMatchObject({
      thanksCount: 1,
      thankedByMe: true,
    });
  });

  it('keeps comment and thanks counts right under concurrent writes', async () => {
    const thread = await startThread('garten', 'member', 'Ansturm');
    const path = `/groups/garten/discussions/threads/${thread.id}`;
    const commenters: Who[] = ['member', 'member2', 'groupAdmin'];
    const statuses = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        call('POST', `${path}/comments`, commenters[index % 3]!, { body: `Kommentar ${index}` }).then(
          (r) => r.status,
        ),
      ),
    );
    expect(statuses).toEqual(Array(12).fill(201));
    const thanks = await Promise.all(
      [...Array(6).fill('member2'), ...Array(6).fill('groupAdmin')].map((who: Who) =>
        call('PUT', `${path}/thanks`, who).then((r) => r.status),
      ),
    );
    expect(thanks).toEqual(Array(12).fill(200));
    const read = await json<ThreadDetail>(await call('GET', `${path}?limit=100`, 'member'), 200);
    expect(read.commentCount).toBe(12);
    expect(read.comments.items).toHaveLength(12);
    expect(read.thanksCount).toBe(2);
    const [row] = await inTenant((em) =>
      em.execute<{ comment_count: number }[]>('select comment_count from discussion_threads where id = ?', [
        thread.id,
      ]),
    );
    expect(row!.comment_count).toBe(12);

    // Deleting the same comment twice at once counts down once.
    const victim = read.comments.items.find((comment) => comment.mine)!;
    const deletes = await Promise.all(
      [1, 2].map(() => call('DELETE', `${path}/comments/${victim.id}`, 'member').then((r) => r.status)),
    );
    expect(deletes).toContain(204);
    expect((await json<ThreadDetail>(await call('GET', path, 'member'), 200)).commentCount).toBe(11);
  });

  it('lets authors edit and delete their own content, and nobody else but moderators (audited)', async () => {
    const thread = await startThread('nachbarn', 'member', 'Eigenes');
    const path = `/groups/nachbarn/discussions/threads/${thread.id}`;
    const edited = await json<Thread>(
      await call('PATCH', path, 'member', { title: 'Eigenes (bearbeitet)' }),
      200,
    );
    expect(edited).toMatchObject({ title: 'Eigenes (bearbeitet)', body: 'Wie macht ihr das?', mine: true });
    expect(edited.editedAt).not.toBeNull();
    expect((await call('PATCH', path, 'member2', { title: 'Fremd' })).status).toBe(403);
    expect((await call('DELETE', path, 'member2')).status).toBe(403);
    expect((await call('PATCH', path, 'outsider', { title: 'Fremd' })).status).toBe(403);
    expect((await call('DELETE', path, 'anonymous')).status).toBe(401);
    const comment = await json<Comment>(
      await call('POST', `${path}/comments`, 'member2', { body: 'Meins' }),
      201,
    );
    expect((await call('PATCH', `${path}/comments/${comment.id}`, 'member', { body: 'Nein' })).status).toBe(
      403,
    );
    expect(
      await json(await call('PATCH', `${path}/comments/${comment.id}`, 'member2', { body: 'Meins!' }), 200),
    ).toMatchObject({ body: 'Meins!' });

    // The group admin edits someone else's thread: allowed and audited.
    expect(await json(await call('PATCH', path, 'groupAdmin', { body: 'Moderiert' }), 200)).toMatchObject({
      body: 'Moderiert',
    });

    // Deleting a thread others commented on keeps it as "deleted" with their comments.
    expect((await call('DELETE', path, 'member')).status).toBe(204);
    const tombstone = await json<ThreadDetail>(await call('GET', path, 'member2'), 200);
    expect(tombstone).toMatchObject({ deleted: true, title: null, body: null, bodyHtml: null, author: null });
    expect(tombstone.comments.items.map((item) => item.body)).toEqual(['Meins!']);
    expect((await call('POST', `${path}/comments`, 'member2', { body: 'Noch was' })).status).toBe(409);
    expect((await call('PATCH', path, 'member', { title: 'Zurück' })).status).toBe(404);
    const stored = await inTenant((em) =>
      em.execute<{ title: string; body: string }[]>(
        'select title, body from discussion_threads where id = ?',
        [thread.id],
      ),
    );
    expect(stored).toEqual([{ title: '', body: '' }]); // the text is erased, not just hidden

    // The group admin deletes the remaining comment (audited); a thread without comments is gone.
    expect((await call('DELETE', `${path}/comments/${comment.id}`, 'groupAdmin')).status).toBe(204);
    expect((await call('GET', path, 'member2')).status).toBe(404);
    const listed = await json<Page<Thread>>(
      await call('GET', '/groups/nachbarn/discussions/threads?limit=100', 'member'),
      200,
    );
    expect(listed.items.map((item) => item.id)).not.toContain(thread.id);

    // Deleting one's own thread without comments, and someone else's as moderator.
    const own = await startThread('nachbarn', 'member2', 'Weg damit');
    expect((await call('DELETE', `/groups/nachbarn/discussions/threads/${own.id}`, 'member2')).status).toBe(
      204,
    );
    expect((await call('GET', `/groups/nachbarn/discussions/threads/${own.id}`, 'member2')).status).toBe(404);
    const theirs = await startThread('nachbarn', 'member2', 'Spam');
    expect(
      (await call('DELETE', `/groups/nachbarn/discussions/threads/${theirs.id}`, 'tenantAdmin')).status,
    ).toBe(204);

    const audit = await inTenant((em) =>
      em.find(AuditEventSchema, { entityId: { $in: [thread.id, comment.id, own.id, theirs.id] } }),
    );
    expect(audit.map((event) => [event.action, event.entityId, event.actorMemberId]).sort()).toEqual(
      [
        ['discussions.comment.deleted', comment.id, memberIds.groupAdmin],
        ['discussions.thread.deleted', theirs.id, memberIds.tenantAdmin],
        ['discussions.thread.edited', thread.id, memberIds.groupAdmin],
      ].sort(),
    );
  });

  it('lets moderators lock and hide, with audit entries; others get 403', async () => {
    const thread = await startThread('garten', 'member', 'Streit');
    const path = `/groups/garten/discussions/threads/${thread.id}`;
    const comment = await json<Comment>(
      await call('POST', `${path}/comments`, 'member2', { body: 'Unfreundlich' }),
      201,
    );
    for (const action of ['lock', 'unlock', 'hide', 'unhide', `comments/${comment.id}/hide`]) {
      expect([action, (await call('POST', `${path}/${action}`, 'member')).status]).toEqual([action, 403]);
      expect([action, (await call('POST', `${path}/${action}`, 'anonymous')).status]).toEqual([action, 401]);
    }

    // Locked: no more comments from members (409), moderators still may.
    expect(await json(await call('POST', `${path}/lock`, 'groupAdmin'), 200)).toMatchObject({ locked: true });
    expect((await call('POST', `${path}/comments`, 'member', { body: 'Doch!' })).status).toBe(409);
    expect(
      (await call('PATCH', `${path}/comments/${comment.id}`, 'member2', { body: 'Anders' })).status,
    ).toBe(409);
    expect((await call('POST', `${path}/comments`, 'groupAdmin', { body: 'Hier ist zu.' })).status).toBe(201);
    expect(await json(await call('POST', `${path}/unlock`, 'groupAdmin'), 200)).toMatchObject({
      locked: false,
    });
    expect((await call('POST', `${path}/comments`, 'member', { body: 'Danke' })).status).toBe(201);

    // A hidden comment: moderators read it flagged; everyone else sees a placeholder without text or author.
    expect(
      await json(await call('POST', `${path}/comments/${comment.id}/hide`, 'groupAdmin'), 200),
    ).toMatchObject({ hidden: true });
    const asMember = await json<ThreadDetail>(await call('GET', path, 'member'), 200);
    expect(asMember.comments.items.find((item) => item.id === comment.id)).toMatchObject({
      hidden: true,
      body: null,
      bodyHtml: null,
      author: null,
    });
    const asAnonymous = await call('GET', path, 'anonymous');
    expect(await asAnonymous.text()).not.toContain('Unfreundlich');
    const asModerator = await json<ThreadDetail>(await call('GET', path, 'groupAdmin'), 200);
    expect(asModerator.comments.items.find((item) => item.id === comment.id)).toMatchObject({
      hidden: true,
      body: 'Unfreundlich',
    });
    expect((await call('PUT', `${path}/comments/${comment.id}/thanks`, 'member')).status).toBe(404);
    expect((await call('PATCH', `${path}/comments/${comment.id}`, 'member2', { body: 'x' })).status).toBe(
      404,
    );

    // A hidden thread: gone for everyone but moderators (also from the tenant-wide list).
    expect(await json(await call('POST', `${path}/hide`, 'tenantAdmin'), 200)).toMatchObject({
      hidden: true,
    });
    expect((await call('GET', path, 'member')).status).toBe(404);
    expect((await call('POST', `${path}/comments`, 'member', { body: 'Hallo?' })).status).toBe(404);
    const memberList = await json<Page<Thread>>(
      await call('GET', '/groups/garten/discussions/threads?limit=100', 'member'),
      200,
    );
    expect(memberList.items.map((item) => item.id)).not.toContain(thread.id);
    const wide = await json<Page<Thread>>(await call('GET', '/discussions/threads?limit=100', 'member'), 200);
    expect(wide.items.map((item) => item.id)).not.toContain(thread.id);
    const moderatorList = await json<Page<Thread>>(
      await call('GET', '/groups/garten/discussions/threads?limit=100', 'groupAdmin'),
      200,
    );
    expect(moderatorList.items.find((item) => item.id === thread.id)).toMatchObject({
      hidden: true,
      title: 'Streit',
    });
    const moderatorWide = await json<Page<Thread>>(
      await call('GET', '/discussions/threads?limit=100', 'groupAdmin'),
      200,
    );
    expect(moderatorWide.items.find((item) => item.id === thread.id)).toMatchObject({
      hidden: true,
      title: 'Streit',
    });
    expect(await json(await call('POST', `${path}/unhide`, 'groupAdmin'), 200)).toMatchObject({
      hidden: false,
    });
    expect((await call('GET', path, 'member')).status).toBe(200);
    // Hiding what is hidden already changes nothing and records nothing.
    await json(await call('POST', `${path}/comments/${comment.id}/hide`, 'groupAdmin'), 200);

    const audit = await json<Page<{ action: string; entityId: string; actorMemberId: string }>>(
      await call('GET', '/audit?limit=100', 'tenantAdmin'),
      200,
    );
    const mine = audit.items.filter((item) => [thread.id, comment.id].includes(item.entityId));
    expect(mine.map((item) => item.action).sort()).toEqual(
      [
        'discussions.comment.hidden',
        'discussions.thread.hidden',
        'discussions.thread.locked',
        'discussions.thread.unhidden',
        'discussions.thread.unlocked',
      ].sort(),
    );
    expect(mine.find((item) => item.action === 'discussions.thread.hidden')!.actorMemberId).toBe(
      memberIds.tenantAdmin,
    );
  });

  it('lists recent threads of every group the caller may read, tenant-wide', async () => {
    const inPublic = await startThread('garten', 'member', 'Öffentlich');
    const inMembers = await startThread('nachbarn', 'member', 'Für Mitglieder');
    const inPrivate = await startThread('vorstand', 'member', 'Vertraulich');
    const seen = async (who: Who) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<Thread> = await json<Page<Thread>>(
          await call('GET', `/discussions/threads?limit=5${cursor ? `&cursor=${cursor}` : ''}`, who),
          200,
        );
        ids.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
      } while (cursor);
      return [inPublic.id, inMembers.id, inPrivate.id].filter((id) => ids.includes(id));
    };
    expect(await seen('anonymous')).toEqual([inPublic.id]);
    expect(await seen('foreign')).toEqual([inPublic.id]);
    expect(await seen('outsider')).toEqual([inPublic.id, inMembers.id]);
    expect(await seen('member')).toEqual([inPublic.id, inMembers.id, inPrivate.id]);
    expect(await seen('tenantAdmin')).toEqual([inPublic.id, inMembers.id, inPrivate.id]);
    const page = await json<Page<Thread>>(await call('GET', '/discussions/threads?limit=3', 'member'), 200);
    expect(page.items.map((item) => item.id)).toEqual([inPrivate.id, inMembers.id, inPublic.id]); // newest first
    expect(page.items[0]!.group.key).toBe('vorstand');
  });

  it('describes every route with its schemas in the OpenAPI document', async () => {
    const document = (await (await fetch(`${api.base}/api/docs-json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          { tags?: string[]; requestBody?: unknown; responses: Record<string, { content?: unknown }> }
        >
      >;
    };
    const routes = Object.entries(document.paths).filter(([path]) => path.includes('/discussions/'));
    const operations = routes.flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBe(19); // 18 in a group, 1 tenant-wide
    for (const { path, method, operation } of operations) {
      expect([path, method, operation.tags]).toEqual([path, method, ['discussions']]);
      if (['post', 'patch'].includes(method) && /threads$|comments$|\{thread\}$|\{comment\}$/.test(path)) {
        expect([path, method, operation.requestBody]).toEqual([path, method, expect.anything()]);
      }
      const ok = Object.entries(operation.responses).find(([status]) => status.startsWith('2'));
      if (method !== 'delete' || path.endsWith('thanks')) {
        expect([path, method, ok?.[1].content]).toEqual([path, method, expect.anything()]);
      }
    }
  });
});
