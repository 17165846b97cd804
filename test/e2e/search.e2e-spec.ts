import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { DiscussionThreadSchema } from '@allmende/discussions';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type GroupVisibility } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { ListingSchema } from '@allmende/listings';
import { NewsPostSchema } from '@allmende/news';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../support/fixtures';
import { passwordToken, startApiWithIdentityProvider } from '../support/identity';

interface Hit {
  kind: string;
  title: string;
  group: string;
  excerpt: string;
}

/** Full-text search over what the caller may see, in German, through HTTP with real tokens. */
describe('search', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let tenant: Tenant;
  let other: Tenant;
  const people = {
    member: {
      email: 'suche.mitglied@example.org',
      givenName: 'Sina',
      familyName: 'Suche',
      emailVerified: true,
    },
    board: {
      email: 'suche.vorstand@example.org',
      givenName: 'Volker',
      familyName: 'Vorstand',
      emailVerified: true,
    },
    stranger: {
      email: 'suche.fremd@example.org',
      givenName: 'Frida',
      familyName: 'Fremd',
      emailVerified: true,
    },
  };
  const DAY = 24 * 60 * 60 * 1000;

  async function seed(target: Tenant, label: string, memberEmails: string[]) {
    await new TenantScope(orm).run(target.id, async (em) => {
      const members = memberEmails.map((email) =>
        em.create(MemberSchema, { email, givenName: 'X', familyName: 'Y' }),
      );
      const group = (key: string, visibility: GroupVisibility) => {
        const created = em.create(GroupSchema, { key, name: { de: key }, visibility });
        em.create(GroupModuleSchema, {
          group: created,
          module: 'news',
          settings: { categories: [{ key: 'allgemein', name: { de: 'Allgemein' } }], urgentAlerts: true },
        });
        em.create(GroupModuleSchema, { group: created, module: 'discussions', settings: {} });
        em.create(GroupModuleSchema, {
          group: created,
          module: 'listings',
          settings: { kinds: ['lost', 'found'], expiryDays: 30 },
        });
        return created;
      };
      const open = group('neuigkeiten', 'public');
      const members_ = group('austausch', 'members');
      const board = group('vorstand', 'private');
      if (members[1]) em.create(GroupMemberSchema, { group: board, member: members[1], role: 'member' });
      const post = (g: typeof open, title: string, body: string, extra: object = {}) =>
        em.create(NewsPostSchema, {
          group: g,
          author: members[0]!,
          categoryKey: 'allgemein',
          title,
          body,
          ...extra,
        });
      post(open, `Baustelle in der Hauptstraße ${label}`, 'Die Straße ist ab Montag gesperrt.');
      post(open, `Dorffest ${label}`, 'Wegen der Baustellen beginnt der Umzug am Kirchplatz.');
      post(open, `Geplante Baustelle ${label}`, 'Noch nicht veröffentlicht.', {
        publishAt: new Date(Date.now() + DAY),
      });
      post(members_, `Ampel an der Baustelle ${label}`, 'Nur für Mitglieder.');
      post(board, `Baustelle Vorstandssitzung ${label}`, 'Nur für den Vorstand.');
      const listing = (title: string, status: 'open' | 'archived') =>
        em.create(ListingSchema, {
          group: open,
          author: members[0]!,
          kind: 'found',
          title,
          description: 'Gefunden an der Baustelle am Kirchplatz.',
          place: 'Kirchplatz',
          date: '2026-11-20',
          status,
          expiresAt: new Date(Date.now() + 30 * DAY),
        });
      listing(`Schlüsselbund gefunden ${label}`, 'open');
      listing(`Alter Fund ${label}`, 'archived');
      em.create(DiscussionThreadSchema, {
        group: members_,
        author: members[0]!,
        title: `Erfahrungen mit Baustellen ${label}`,
        body: 'Wie kommt ihr zur Arbeit?',
        lastActivityAt: new Date(),
      });
      em.create(DiscussionThreadSchema, {
        group: members_,
        author: members[0]!,
        title: `Versteckte Baustelle ${label}`,
        body: 'Ausgeblendet.',
        lastActivityAt: new Date(),
        hiddenAt: new Date(),
      });
      await em.flush();
    });
  }

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Suche');
    other = await createTenant(orm, 'Ortsgemeinde Anderswo');
    await seed(tenant, 'A', [people.member.email, people.board.email]);
    await seed(other, 'B', [people.stranger.email]);
    ({ app, idp, base } = await startApiWithIdentityProvider(Object.values(people)));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  async function search(query: string, email?: string, slug = tenant.slug) {
    const response = await fetch(`${base}/api/tenants/${slug}/search?${query}`, {
      headers: email ? { authorization: `Bearer ${await passwordToken(idp, email)}` } : {},
    });
    return {
      status: response.status,
      body: (await response.json()) as { items: Hit[]; nextCursor: string | null },
    };
  }

  const titles = (hits: Hit[]) => hits.map((hit) => hit.title).sort();

  it('finds word forms in German ("Baustellen" finds "Baustelle"), ranked by title first', async () => {
    const { status, body } = await search('q=Baustellen');
    expect(status).toBe(200);
    expect(titles(body.items)).toEqual([
      'Baustelle in der Hauptstraße A',
      'Dorffest A',
      'Schlüsselbund gefunden A',
    ]);
    expect(body.items.find((hit) => hit.kind === 'listing')?.title).toBe('Schlüsselbund gefunden A');
    // The title match outranks the text matches.
    expect(body.items[0]!.title).toBe('Baustelle in der Hauptstraße A');
    expect(body.items[0]).toMatchObject({
      kind: 'news',
      group: 'neuigkeiten',
      excerpt: 'Die Straße ist ab Montag gesperrt.',
    });
  });

  it('shows each caller what they may see: public, members, private groups', async () => {
    const member = await search('q=Baustelle', people.member.email);
    expect(titles(member.body.items)).toEqual([
      'Ampel an der Baustelle A',
      'Baustelle in der Hauptstraße A',
      'Dorffest A',
      'Erfahrungen mit Baustellen A',
      'Schlüsselbund gefunden A',
    ]);
    const board = await search('q=Baustelle', people.board.email);
    expect(titles(board.body.items)).toContain('Baustelle Vorstandssitzung A');
    // A member of another community sees only the public groups here, never their own community's posts.
    const stranger = await search('q=Baustelle', people.stranger.email);
    expect(titles(stranger.body.items)).toEqual([
      'Baustelle in der Hauptstraße A',
      'Dorffest A',
      'Schlüsselbund gefunden A',
    ]);
    expect(JSON.stringify(stranger.body)).not.toMatch(/ B"/); // no title of the other community
  });

  it('leaves out scheduled posts, archived listings and hidden threads', async () => {
    const { body } = await search('q=Baustelle', people.board.email);
    expect(titles(body.items)).not.toContain('Geplante Baustelle A');
    expect(titles(body.items)).not.toContain('Alter Fund A');
    expect(titles(body.items)).not.toContain('Versteckte Baustelle A');
  });

  it('pages with a cursor, without repeats', async () => {
    const first = await search('q=Baustelle&limit=2', people.board.email);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await search(`q=Baustelle&limit=10&cursor=${first.body.nextCursor}`, people.board.email);
    const all = [...first.body.items, ...second.body.items].map((hit) => hit.title);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(6);
    expect(second.body.nextCursor).toBeNull();
  });

  it('refuses bad queries with 400', async () => {
    expect((await search('q=a')).status).toBe(400);
    expect((await search('')).status).toBe(400);
    expect((await search('q=Baustelle&sort=alt')).status).toBe(400);
    expect((await search('q=Baustelle&cursor=kaputt')).status).toBe(400);
  });
});
