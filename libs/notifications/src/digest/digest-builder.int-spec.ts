import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { BookableResourceSchema, BookingSchema } from '@allmende/booking';
import { TenantScope } from '@allmende/db';
import { DiscussionThreadSchema } from '@allmende/discussions';
import { EventRsvpSchema, EventSchema } from '@allmende/events';
import {
  GroupMemberSchema,
  GroupModuleSchema,
  GroupSchema,
  type Group,
  type GroupVisibility,
} from '@allmende/groups';
import { ListingSchema } from '@allmende/listings';
import type { DigestModel } from '@allmende/mail';
import { MemberSchema, type Member } from '@allmende/members';
import { NewsPostSchema } from '@allmende/news';
import type { Tenant } from '@allmende/tenants';
import {
  VolunteerCallSchema,
  VolunteerItemSchema,
  VolunteerPledgeSchema,
  VolunteerShiftSchema,
} from '@allmende/volunteering';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { testConfig } from '../../../../test/support/test-config';
import { MailRecipients, toSettings, type RecipientRow } from '../mail-recipients';
import { DigestBuilder, type DigestRequest } from './digest-builder';

/** The digest's window: [SINCE, UNTIL). */
const SINCE = new Date('2026-11-20T06:00:00Z');
const UNTIL = new Date('2026-11-21T06:00:00Z');
const IN_WINDOW = new Date('2026-11-20T12:00:00Z');
const BEFORE = new Date('2026-11-19T12:00:00Z');
/** `hours` after the window's end. */
const after = (hours: number) => new Date(UNTIL.getTime() + hours * 3_600_000);

const ALL_MODULES = ['news', 'listings', 'volunteering', 'booking', 'events', 'discussions'] as const;
const PUBLIC_URL = 'https://allmende.test';

interface World {
  tenant: Tenant;
  reader: Member;
  author: Member;
  steward: Member;
  groups: Record<'dorf' | 'verein' | 'vorstand' | 'chor', Group>;
}

describe('DigestBuilder', () => {
  let orm: MikroORM;
  let scope: TenantScope;
  let recipients: MailRecipients;
  let builder: DigestBuilder;

  beforeAll(async () => {
    orm = await openOrm();
    scope = new TenantScope(orm);
    recipients = new MailRecipients(scope, testConfig({ PUBLIC_URL }));
    builder = new DigestBuilder(scope, recipients);
  });

  afterAll(async () => {
    await orm.close(true);
  });

  // The builder caches a window's content for a minute (DigestSnapshotCache); these tests change
  // content and roles between builds of the same window, so each starts from a fresh load.
  beforeEach(() => builder.forgetSnapshots());

  /** A tenant with a reader, an author and a steward, and four groups of every visibility. */
  async function world(label: string): Promise<World> {
    const tenant = await createTenant(orm, `Gemeinde ${label}`);
    return scope.run(tenant.id, async (em) => {
      const member = (given: string) =>
        em.create(MemberSchema, {
          email: `${given.toLowerCase()}.${label.toLowerCase()}@example.org`,
          givenName: given,
          familyName: label,
        });
      const reader = member('Rita');
      const author = member('Otto');
      const steward = member('Gisela');
      const group = (key: string, visibility: GroupVisibility, modules: readonly string[]) => {
        const created = em.create(GroupSchema, {
          key,
          name: { de: `${key} (de) ${label}`, en: `${key} (en) ${label}` },
          visibility,
        });
        for (const module of modules)
          em.create(GroupModuleSchema, { group: created, module: module as 'news', settings: {} });
        return created;
      };
      const groups = {
        dorf: group('dorf', 'public', ALL_MODULES),
        verein: group('verein', 'members', ['news']),
        vorstand: group('vorstand', 'private', ['news']),
        chor: group('chor', 'private', ['news']),
      };
      em.create(GroupMemberSchema, { group: groups.chor, member: reader });
      await em.flush();
      return { tenant, reader, author, steward, groups };
    });
  }

  function post(
    em: EntityManager,
    group: Group,
    author: Member,
    title: string,
    publishAt: Date,
    extra: Partial<{
      urgency: 'normal' | 'important' | 'urgent';
      pinned: boolean;
      expiresAt: Date;
      body: string;
    }> = {},
  ) {
    return em.create(NewsPostSchema, {
      group,
      author,
      categoryKey: 'allgemein',
      title,
      body: extra.body ?? `Text zu **${title}**.`,
      urgency: extra.urgency ?? 'normal',
      pinned: extra.pinned ?? false,
      publishAt,
      expiresAt: extra.expiresAt ?? null,
      createdAt: publishAt,
    });
  }

  /** Content of every kind in and around the window, in the world's tenant. */
  async function fill(w: World): Promise<void> {
    await scope.run(w.tenant.id, async (em) => {
      const { dorf, verein, vorstand, chor } = w.groups;
      // news
      post(em, dorf, w.author, 'Wasserrohrbruch', IN_WINDOW, { urgency: 'urgent' });
      post(em, dorf, w.author, 'Sprechstunde', IN_WINDOW, { pinned: true });
      post(em, dorf, w.author, 'Laternenumzug', IN_WINDOW, {
        urgency: 'important',
        body: `# Laternenumzug\n\nAm **Martinstag** ziehen wir [los](https://example.org). ${'Sehr schön. '.repeat(40)}`,
      });
      post(em, dorf, w.author, 'Genau am Anfang', SINCE);
      post(em, dorf, w.author, 'Genau am Ende', UNTIL);
      post(em, dorf, w.author, 'Von gestern', BEFORE);
      post(em, dorf, w.author, 'Schon abgelaufen', IN_WINDOW, {
        expiresAt: new Date(UNTIL.getTime() - 1000),
      });
      post(em, dorf, w.reader, 'Ritas eigener Beitrag', IN_WINDOW);
      post(em, verein, w.author, 'Vereinsnachricht', IN_WINDOW);
      post(em, vorstand, w.author, 'Vorstandsgeheimnis', IN_WINDOW);
      post(em, chor, w.author, 'Chorprobe', IN_WINDOW);

      // listings
      const listing = (title: string, author: Member, status: 'open' | 'resolved', createdAt: Date) =>
        em.create(ListingSchema, {
          group: dorf,
          author,
          kind: 'lost',
          title,
          description: 'Beschreibung',
          place: 'Marktplatz',
          date: '2026-11-20',
          status,
          expiresAt: after(24 * 30),
          createdAt,
        });
      listing('Schlüsselbund', w.author, 'open', IN_WINDOW);
      listing('Schon gefunden', w.author, 'resolved', IN_WINDOW);
      listing('Ritas Fahrrad', w.reader, 'open', IN_WINDOW);
      listing('Alter Schirm', w.author, 'open', BEFORE);

      // calls for help
      const newCall = em.create(VolunteerCallSchema, {
        group: dorf,
        author: w.author,
        title: 'Dorffest',
        body: 'Hilfe gesucht',
        createdAt: IN_WINDOW,
      });
      em.create(VolunteerShiftSchema, {
        call: newCall,
        startsAt: after(48),
        endsAt: after(51),
        helpersNeeded: 3,
        pledgedCount: 1,
      });
      em.create(VolunteerShiftSchema, {
        call: newCall,
        startsAt: after(52),
        endsAt: after(54),
        helpersNeeded: 2,
        pledgedCount: 2,
      });
      em.create(VolunteerItemSchema, {
        call: newCall,
        name: 'Kuchen',
        quantityNeeded: 10,
        pledgedQuantity: 4,
      });
      em.create(VolunteerItemSchema, { call: newCall, name: 'Bänke', quantityNeeded: 5, pledgedQuantity: 5 });
      const oldCall = em.create(VolunteerCallSchema, {
        group: dorf,
        author: w.author,
        title: 'Laub rechen',
        body: 'Wer hilft?',
        createdAt: BEFORE,
      });
      em.create(VolunteerShiftSchema, {
        call: oldCall,
        startsAt: after(24),
        endsAt: after(26),
        helpersNeeded: 4,
        pledgedCount: 0,
      });
      const closedCall = em.create(VolunteerCallSchema, {
        group: dorf,
        author: w.author,
        title: 'Weihnachtsmarkt',
        body: 'Danke!',
        status: 'closed',
        closedAt: IN_WINDOW,
        createdAt: BEFORE,
      });
      const closedShift = em.create(VolunteerShiftSchema, {
        call: closedCall,
        startsAt: after(72),
        endsAt: after(75),
        helpersNeeded: 2,
        pledgedCount: 1,
      });
      em.create(VolunteerPledgeSchema, { member: w.reader, shift: closedShift, quantity: 1 });

      // events
      const event = (title: string, createdAt: Date, startsAt: Date, cancelledAt: Date | null = null) =>
        em.create(EventSchema, {
          group: dorf,
          author: w.author,
          title,
          description: 'Beschreibung',
          place: 'Festwiese',
          startsAt,
          endsAt: new Date(startsAt.getTime() + 2 * 3_600_000),
          cancelledAt,
          createdAt,
        });
      const concert = event('Adventskonzert', IN_WINDOW, after(30));
      em.create(EventRsvpSchema, {
        event: concert,
        member: w.reader,
        answer: 'maybe',
        answeredAt: IN_WINDOW,
      });
      event('Abgesagtes Fest', IN_WINDOW, after(31), IN_WINDOW);
      event('Fern in der Zukunft', IN_WINDOW, after(24 * 8));

      // booking decisions
      const hut = em.create(BookableResourceSchema, {
        group: dorf,
        key: 'grillhuette',
        name: { de: 'Grillhütte', en: 'Barbecue hut' },
        minHours: 1,
        maxHours: 48,
        leadTimeDays: 0,
        windowDays: 365,
        approvalRequired: true,
      });
      const booking = (
        startsAt: Date,
        changes: Partial<{
          status: 'approved' | 'declined' | 'cancelled';
          decidedAt: Date;
          decidedByMemberId: string | null;
          cancelledAt: Date;
          cancelledByMemberId: string;
        }>,
      ) =>
        em.create(BookingSchema, {
          resource: hut,
          group: dorf,
          requester: w.reader,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 4 * 3_600_000),
          purpose: 'Geburtstag',
          expectedGuests: 20,
          contactPhone: '+49 2623 1',
          createdAt: BEFORE,
          ...changes,
        });
      booking(after(24 * 10), { status: 'approved', decidedAt: IN_WINDOW, decidedByMemberId: w.steward.id });
      booking(after(24 * 11), { status: 'declined', decidedAt: IN_WINDOW, decidedByMemberId: w.steward.id });
      // Approved automatically (no decider) and cancelled by Rita herself: nothing to tell her.
      booking(after(24 * 12), { status: 'approved', decidedAt: IN_WINDOW, decidedByMemberId: null });
      booking(after(24 * 13), {
        status: 'cancelled',
        cancelledAt: IN_WINDOW,
        cancelledByMemberId: w.reader.id,
      });

      // discussions
      const thread = (title: string, author: Member, createdAt: Date, hiddenAt: Date | null = null) =>
        em.create(DiscussionThreadSchema, {
          group: dorf,
          author,
          title,
          body: 'Was meint ihr?',
          lastActivityAt: createdAt,
          hiddenAt,
          createdAt,
        });
      thread('Komposthaufen', w.author, IN_WINDOW);
      thread('Versteckt', w.author, IN_WINDOW, IN_WINDOW);
      thread('Ritas Frage', w.reader, IN_WINDOW);
      thread('Alte Frage', w.author, BEFORE);
      await em.flush();
    });
  }

  async function request(w: World, member: Member = w.reader): Promise<DigestRequest> {
    return scope.run(w.tenant.id, async (em) => {
      const community = await recipients.community();
      // The member's row as MailRecipients.load() reads it, for one member (no array parameter).
      const [row] = await em.execute<RecipientRow[]>(
        `select m.id, m.email, m.given_name, m.family_name,
                p.digest_frequency, p.digest_hour, p.digest_weekday, p.muted_group_ids,
                p.urgent_alerts, p.language, p.time_zone
           from members m left join notification_preferences p on p.member_id = m.id
          where m.id = ?`,
        [member.id],
      );
      return {
        settings: toSettings(row!, community),
        community,
        frequency: 'daily',
        since: SINCE,
        until: UNTIL,
      };
    });
  }

  function build(w: World, digestRequest: DigestRequest): Promise<DigestModel | null> {
    return scope.run(w.tenant.id, () => builder.build(digestRequest));
  }

  const titles = (items: { title: string }[]) => items.map((item) => item.title);

  let filled: World;
  let other: World;
  beforeAll(async () => {
    filled = await world('A');
    other = await world('B');
    await fill(filled);
    await fill(other);
  });

  it('fills every section with what is new in the readable groups, newest first', async () => {
    const digest = await build(filled, await request(filled));
    expect(digest).not.toBeNull();
    const { sections } = digest!;
    const slug = filled.tenant.slug;
    const dorf = `${PUBLIC_URL}/t/${slug}/g/dorf`;

    expect(titles(sections.urgent).sort()).toEqual(['Sprechstunde', 'Wasserrohrbruch']);
    expect(titles(sections.news).sort()).toEqual([
      'Chorprobe',
      'Genau am Anfang',
      'Laternenumzug',
      'Vereinsnachricht',
    ]);
    expect(sections.news[sections.news.length - 1]!.title).toBe('Genau am Anfang'); // oldest last
    const lantern = sections.news.find((item) => item.title === 'Laternenumzug')!;
    expect(lantern.urgency).toBe('important');
    expect(lantern.groupName).toBe('dorf (de) A');
    expect(lantern.excerpt.startsWith('Laternenumzug Am Martinstag ziehen wir los. Sehr schön.')).toBe(true);
    expect(lantern.excerpt).not.toMatch(/[*#[\]]/);
    expect(lantern.excerpt.length).toBeLessThanOrEqual(200);
    expect(lantern.excerpt.endsWith('…')).toBe(true);
    expect(lantern.url).toMatch(new RegExp(`^${dorf}/news/[0-9a-f-]{36}$`));

    expect(sections.listings).toEqual([
      expect.objectContaining({ title: 'Schlüsselbund', kind: 'lost', groupName: 'dorf (de) A' }),
    ]);
    expect(sections.listings[0]!.url).toMatch(new RegExp(`^${dorf}/listings/`));

    expect(titles(sections.calls)).toEqual(['Dorffest', 'Laub rechen']);
    const fest = sections.calls[0]!;
    expect(fest.openShifts).toEqual([{ label: '07:00–10:00', startsAt: after(48), missing: 2 }]);
    expect(fest.openItems).toEqual([{ label: 'Kuchen', missing: 6 }]);
    expect(fest.url).toMatch(new RegExp(`^${dorf}/volunteering/`));

    expect(sections.events).toEqual([
      expect.objectContaining({
        title: 'Adventskonzert',
        startsAt: after(30),
        endsAt: after(32),
        location: 'Festwiese',
        myAnswer: 'maybe',
      }),
    ]);

    expect(sections.activity.map((item) => [item.messageKey, item.params])).toEqual(
      expect.arrayContaining([
        ['mail.digest.activity.bookingApproved', { resource: 'Grillhütte', from: after(24 * 10) }],
        ['mail.digest.activity.bookingDeclined', { resource: 'Grillhütte', from: after(24 * 11) }],
        ['mail.digest.activity.pledgeCallClosed', { call: 'Weihnachtsmarkt' }],
      ]),
    );
    expect(sections.activity).toHaveLength(3);
    expect(sections.activity.find((item) => item.messageKey.endsWith('bookingApproved'))!.url).toMatch(
      new RegExp(`^${dorf}/booking/requests/`),
    );

    expect(sections.threads).toEqual([
      expect.objectContaining({ title: 'Komposthaufen', authorName: 'Otto A', createdAt: IN_WINDOW }),
    ]);

    expect(digest!.recipient.memberId).toBe(filled.reader.id);
    expect(digest!.community).toEqual({
      id: filled.tenant.id,
      slug,
      name: 'Gemeinde A',
      portalUrl: `${PUBLIC_URL}/t/${slug}`,
    });
    expect(digest!.preferencesUrl).toBe(`${PUBLIC_URL}/t/${slug}/me/notifications`);
    expect(digest!.unsubscribeUrl).toBe('');
    expect(digest!.since).toEqual(SINCE);
    expect(digest!.until).toEqual(UNTIL);
  });

  it("leaves out the member's own posts, listings and threads, and what is hidden, resolved or expired", async () => {
    const text = JSON.stringify(await build(filled, await request(filled)));
    for (const left of [
      'Ritas eigener Beitrag',
      'Ritas Fahrrad',
      'Ritas Frage',
      'Schon abgelaufen',
      'Schon gefunden',
      'Versteckt',
      'Abgesagtes Fest',
      'Fern in der Zukunft',
    ])
      expect(text).not.toContain(left);
  });

  it('counts since as inside the window and until as outside', async () => {
    const digest = (await build(filled, await request(filled)))!;
    const all = titles([...digest.sections.urgent, ...digest.sections.news]);
    expect(all).toContain('Genau am Anfang');
    expect(all).not.toContain('Genau am Ende');
    expect(all).not.toContain('Von gestern');
  });

  it('leaves out muted groups and private groups the member is not in', async () => {
    const base = await request(filled);
    const muted: DigestRequest = {
      ...base,
      settings: { ...base.settings, mutedGroupIds: [filled.groups.verein.id] },
    };
    const news = titles((await build(filled, muted))!.sections.news);
    expect(news).not.toContain('Vereinsnachricht');
    expect(news).toContain('Chorprobe'); // private, but Rita sings in the choir
    expect(news).not.toContain('Vorstandsgeheimnis');
  });

  it("shows a tenant admin every group, in the recipient's language", async () => {
    await scope.run(filled.tenant.id, async (em) => {
      await em.nativeUpdate(MemberSchema, { id: filled.steward.id }, { role: 'tenant_admin' });
    });
    const base = await request(filled, filled.steward);
    const english: DigestRequest = {
      ...base,
      settings: { ...base.settings, recipient: { ...base.settings.recipient, language: 'en' } },
    };
    const digest = (await build(filled, english))!;
    const secret = digest.sections.news.find((item) => item.title === 'Vorstandsgeheimnis');
    expect(secret?.groupName).toBe('vorstand (en) A');
    expect(digest.sections.activity).toEqual([]); // Rita's bookings are not the steward's business
  });

  it('never shows content of another tenant', async () => {
    const digest = await build(filled, await request(filled));
    expect(JSON.stringify(digest)).not.toContain('(de) B');
    expect(JSON.stringify(digest)).not.toContain(other.tenant.slug);
    // The other tenant's own digest has its own content (the same titles, its own groups).
    const theirs = (await build(other, await request(other)))!;
    expect(theirs.sections.news.every((item) => item.groupName.endsWith(' B'))).toBe(true);
    expect(JSON.stringify(theirs)).not.toContain(filled.tenant.slug);
  });

  it('is null when nothing is new', async () => {
    const quiet = {
      ...(await request(filled)),
      since: new Date('2026-10-01T06:00:00Z'),
      until: new Date('2026-10-02T06:00:00Z'),
    };
    expect(await build(filled, quiet)).toBeNull();
  });

  it('is null with only older upcoming events and calls, and not once an event is new', async () => {
    const w = await world('C');
    await scope.run(w.tenant.id, async (em) => {
      em.create(EventSchema, {
        group: w.groups.dorf,
        author: w.author,
        title: 'Lange geplant',
        description: 'Beschreibung',
        startsAt: after(10),
        endsAt: after(12),
        createdAt: BEFORE,
      });
      const call = em.create(VolunteerCallSchema, {
        group: w.groups.dorf,
        author: w.author,
        title: 'Altes Anliegen',
        body: 'Wer hilft?',
        createdAt: BEFORE,
      });
      em.create(VolunteerShiftSchema, {
        call,
        startsAt: after(5),
        endsAt: after(6),
        helpersNeeded: 2,
        pledgedCount: 0,
      });
      await em.flush();
    });
    expect(await build(w, await request(w))).toBeNull();
    builder.forgetSnapshots();

    await scope.run(w.tenant.id, async (em) => {
      em.create(EventSchema, {
        group: w.groups.dorf,
        author: w.author,
        title: 'Spontan',
        description: 'Beschreibung',
        startsAt: after(20),
        endsAt: after(21),
        createdAt: IN_WINDOW,
      });
      await em.flush();
    });
    const digest = (await build(w, await request(w)))!;
    expect(titles(digest.sections.events)).toEqual(['Lange geplant', 'Spontan']);
    expect(titles(digest.sections.calls)).toEqual(['Altes Anliegen']);
  });
});
