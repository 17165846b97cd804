import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import { GroupModuleSchema, GroupSchema, type Group } from '@allmende/groups';
import type { DigestModel } from '@allmende/mail';
import { MemberSchema, type Member } from '@allmende/members';
import { NewsPostSchema } from '@allmende/news';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { testConfig } from '../../../../test/support/test-config';
import { MailRecipients, toSettings, type RecipientRow } from '../mail-recipients';
import { DigestBuilder, type DigestRequest } from './digest-builder';

const SINCE = new Date('2026-11-20T06:00:00Z');
const UNTIL = new Date('2026-11-21T06:00:00Z');
const IN_WINDOW = new Date('2026-11-20T12:00:00Z');

interface World {
  tenant: Tenant;
  author: Member;
  readers: Member[];
  dorf: Group;
}

describe('DigestBuilder snapshot cache', () => {
  let orm: MikroORM;
  let scope: TenantScope;
  let recipients: MailRecipients;

  beforeAll(async () => {
    orm = await openOrm();
    scope = new TenantScope(orm);
    recipients = new MailRecipients(scope, testConfig({ PUBLIC_URL: 'https://allmende.test' }));
  });

  afterAll(async () => {
    await orm.close(true);
  });

  afterEach(() => jest.restoreAllMocks());

  /** A tenant with a public news group, an author and three readers. */
  async function world(label: string): Promise<World> {
    const tenant = await createTenant(orm, `Gemeinde ${label}`);
    return scope.run(tenant.id, async (em) => {
      const member = (given: string) =>
        em.create(MemberSchema, {
          email: `${given.toLowerCase()}.${label.toLowerCase()}@example.org`,
          givenName: given,
          familyName: label,
        });
      const author = member('Otto');
      const readers = [member('Rita'), member('Karl'), member('Anna')];
      const dorf = em.create(GroupSchema, {
        key: 'dorf',
        name: { de: `Dorf ${label}` },
        visibility: 'public',
      });
      em.create(GroupModuleSchema, { group: dorf, module: 'news', settings: {} });
      await em.flush();
      return { tenant, author, readers, dorf };
    });
  }

  async function post(w: World, title: string): Promise<void> {
    await scope.run(w.tenant.id, async (em) => {
      em.create(NewsPostSchema, {
        group: w.dorf,
        author: w.author,
        categoryKey: 'allgemein',
        title,
        body: title,
        urgency: 'normal',
        pinned: false,
        publishAt: IN_WINDOW,
        createdAt: IN_WINDOW,
      });
      await em.flush();
    });
  }

  async function request(w: World, member: Member): Promise<DigestRequest> {
    return scope.run(w.tenant.id, async (em) => {
      const community = await recipients.community();
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

  const build = (
    builder: DigestBuilder,
    w: World,
    digestRequest: DigestRequest,
  ): Promise<DigestModel | null> => scope.run(w.tenant.id, () => builder.build(digestRequest));
  const newsTitles = (digest: DigestModel | null) => digest?.sections.news.map((item) => item.title) ?? [];
  /** Every snapshot load opens the scope's EntityManager once; the in-memory filtering never does. */
  const countLoads = () => jest.spyOn(scope, 'em');

  it('loads one snapshot for all members of a tenant due for the same window, also concurrently', async () => {
    const w = await world('A');
    await post(w, 'Dorffest');
    const requests = await Promise.all(w.readers.map((reader) => request(w, reader)));
    const builder = new DigestBuilder(scope, recipients);
    const loads = countLoads();

    const concurrent = await Promise.all(requests.slice(0, 2).map((r) => build(builder, w, r)));
    const later = await build(builder, w, requests[2]!);

    expect(loads).toHaveBeenCalledTimes(1);
    for (const digest of [...concurrent, later]) expect(newsTitles(digest)).toEqual(['Dorffest']);
    expect([...concurrent, later].map((digest) => digest!.recipient.memberId)).toEqual(
      w.readers.map((reader) => reader.id),
    );
    // The author's own post is filtered from the same snapshot: nothing new for them.
    const ofAuthor = await request(w, w.author);
    loads.mockClear();
    expect(await build(builder, w, ofAuthor)).toBeNull();
    expect(loads).not.toHaveBeenCalled();
  });

  it("never serves one tenant's snapshot to another tenant with the same window", async () => {
    const a = await world('B1');
    const b = await world('B2');
    await post(a, 'Nur in B1');
    await post(b, 'Nur in B2');
    const [requestOfA, requestOfB] = [await request(a, a.readers[0]!), await request(b, b.readers[0]!)];
    const builder = new DigestBuilder(scope, recipients);
    const loads = countLoads();

    const ofA = await build(builder, a, requestOfA);
    const ofB = await build(builder, b, requestOfB);

    expect(loads).toHaveBeenCalledTimes(2);
    expect(newsTitles(ofA)).toEqual(['Nur in B1']);
    expect(newsTitles(ofB)).toEqual(['Nur in B2']);
    expect(ofB!.sections.news[0]!.groupName).toBe('Dorf B2');
  });

  it('shows content added to a window once the snapshot is older than the TTL', async () => {
    const w = await world('C');
    await post(w, 'Erster Beitrag');
    let now = 1_000_000;
    const builder = new DigestBuilder(scope, recipients, { ttlMs: 60_000, now: () => now });
    const digestRequest = await request(w, w.readers[0]!);

    expect(newsTitles(await build(builder, w, digestRequest))).toEqual(['Erster Beitrag']);
    await post(w, 'Zweiter Beitrag');
    // Within the TTL the window's snapshot is served as loaded (the documented trade-off).
    now += 59_000;
    expect(newsTitles(await build(builder, w, digestRequest))).toEqual(['Erster Beitrag']);
    now += 2_000;
    expect(newsTitles(await build(builder, w, digestRequest)).sort()).toEqual([
      'Erster Beitrag',
      'Zweiter Beitrag',
    ]);
  });

  it('loads a new window at once, whatever the TTL', async () => {
    const w = await world('D');
    await post(w, 'Im Fenster');
    const digestRequest = await request(w, w.readers[0]!);
    const builder = new DigestBuilder(scope, recipients);
    const loads = countLoads();

    expect(
      await build(builder, w, {
        ...digestRequest,
        since: UNTIL,
        until: new Date(UNTIL.getTime() + 86_400_000),
      }),
    ).toBeNull();
    expect(newsTitles(await build(builder, w, digestRequest))).toEqual(['Im Fenster']);
    expect(loads).toHaveBeenCalledTimes(2);
  });
});
