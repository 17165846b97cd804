import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type GroupVisibility } from '@allmende/groups';
import { MailDeliverySchema } from '@allmende/mail';
import { MemberSchema, type Member } from '@allmende/members';
import { NewsPostSchema } from '@allmende/news';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { testConfig } from '../../../../test/support/test-config';
import { MailRecipients, type RecipientSettings } from '../mail-recipients';
import { NotificationPreferencesSchema } from '../notification-preferences.entity';
import { AlertBuilder, alertPeriodKey } from './alert-builder';

const HOUR = 60 * 60 * 1000;

describe('AlertBuilder', () => {
  let orm: MikroORM;
  let scope: TenantScope;
  let recipients: MailRecipients;
  let alerts: AlertBuilder;

  beforeAll(async () => {
    orm = await openOrm();
    scope = new TenantScope(orm);
    recipients = new MailRecipients(scope, testConfig({ PUBLIC_URL: 'https://portal.example' }));
    alerts = new AlertBuilder(scope, recipients);
  });

  afterAll(async () => {
    await orm.close(true);
  });

  interface World {
    tenant: Tenant;
    /** anna: group admin of both groups; ben: alerts off; clara: English, in no group; dora: in the private group. */
    anna: Member;
    ben: Member;
    clara: Member;
    dora: Member;
    groupIds: Record<'public' | 'members' | 'private' | 'quiet', string>;
  }

  /** A community with four members and groups of every visibility (quiet: urgent alerts off). */
  async function world(): Promise<World> {
    const tenant = await createTenant(orm);
    return scope.run(tenant.id, async (em) => {
      const [anna, ben, clara, dora] = ['anna', 'ben', 'clara', 'dora'].map((name) =>
        em.create(MemberSchema, { email: `${name}@example.org`, givenName: name, familyName: 'Test' }),
      ) as [Member, Member, Member, Member];
      em.create(NotificationPreferencesSchema, {
        member: ben,
        digestFrequency: 'daily',
        digestHour: 7,
        digestWeekday: 1,
        mutedGroupIds: [],
        urgentAlerts: false,
        language: 'de',
      });
      em.create(NotificationPreferencesSchema, {
        member: clara,
        digestFrequency: 'weekly',
        digestHour: 7,
        digestWeekday: 1,
        mutedGroupIds: [],
        urgentAlerts: true,
        language: 'en',
        timeZone: 'America/New_York',
      });
      const group = (key: string, visibility: GroupVisibility, urgentAlerts: boolean) => {
        const created = em.create(GroupSchema, {
          key,
          name: { de: `Gruppe ${key}`, en: `Group ${key}` },
          visibility,
        });
        em.create(GroupModuleSchema, { group: created, module: 'news', settings: { urgentAlerts } });
        em.create(GroupMemberSchema, { group: created, member: anna, role: 'group_admin' });
        return created;
      };
      const publicGroup = group('oeffentlich', 'public', true);
      const membersGroup = group('mitglieder', 'members', true);
      const privateGroup = group('vorstand', 'private', true);
      const quietGroup = group('ruhig', 'public', false);
      em.create(GroupMemberSchema, { group: privateGroup, member: dora });
      em.create(GroupMemberSchema, { group: privateGroup, member: ben });
      await em.flush();
      return {
        tenant,
        anna,
        ben,
        clara,
        dora,
        groupIds: {
          public: publicGroup.id,
          members: membersGroup.id,
          private: privateGroup.id,
          quiet: quietGroup.id,
        },
      };
    });
  }

  async function post(
    w: World,
    groupId: string,
    fields: Partial<{
      urgency: 'normal' | 'important' | 'urgent';
      publishAt: Date;
      expiresAt: Date;
      resolvedAt: Date;
      followUp: string;
    }> = {},
  ): Promise<string> {
    return scope.run(w.tenant.id, async (em) => {
      const created = em.create(NewsPostSchema, {
        group: groupId,
        author: w.anna,
        categoryKey: 'allgemein',
        title: 'Wasserrohrbruch',
        body: 'Bitte **kein** Leitungswasser trinken.\n\nMehr: https://example.org/info & <b>nicht</b> hier',
        urgency: fields.urgency ?? 'urgent',
        publishAt: fields.publishAt ?? new Date(Date.now() - HOUR),
        expiresAt: fields.expiresAt ?? null,
        resolvedAt: fields.resolvedAt ?? null,
        followUp: fields.followUp ?? null,
      });
      await em.flush();
      return created.id;
    });
  }

  const run = <T>(w: World, fn: () => Promise<T>) => scope.run(w.tenant.id, fn);

  /** What MailRecipients gives the delivery for a member (build takes it as given). */
  function settingsOf(member: Member, language: 'de' | 'en', timeZone = 'Europe/Berlin'): RecipientSettings {
    return {
      recipient: {
        memberId: member.id,
        name: `${member.givenName} Test`,
        email: member.email,
        language,
        timeZone,
      },
      digest: { frequency: 'weekly', hour: 7, weekday: 1 },
      mutedGroupIds: [],
      urgentAlerts: true,
    };
  }

  it('alerts every member with alerts on for a public or members-only group, the author included', async () => {
    const w = await world();
    const expected = [w.anna.id, w.clara.id, w.dora.id].sort();
    for (const groupId of [w.groupIds.public, w.groupIds.members]) {
      const postId = await post(w, groupId);
      expect((await run(w, () => alerts.recipients(postId, 'published'))).sort()).toEqual(expected);
    }
  });

  it('alerts only the members of a private group (with alerts on)', async () => {
    const w = await world();
    const postId = await post(w, w.groupIds.private);
    expect((await run(w, () => alerts.recipients(postId, 'published'))).sort()).toEqual(
      [w.anna.id, w.dora.id].sort(),
    );
  });

  it('alerts nobody for posts that are not urgent, not yet published, expired, resolved, or in a group without alerts', async () => {
    const w = await world();
    const posts = [
      await post(w, w.groupIds.public, { urgency: 'important' }),
      await post(w, w.groupIds.public, { publishAt: new Date(Date.now() + HOUR) }),
      await post(w, w.groupIds.public, { expiresAt: new Date(Date.now() - 1000) }),
      await post(w, w.groupIds.public, { resolvedAt: new Date() }),
      await post(w, w.groupIds.quiet),
    ];
    for (const postId of posts) {
      expect(await run(w, () => alerts.recipients(postId, 'published'))).toEqual([]);
    }
    expect(
      await run(w, () => alerts.recipients('00000000-0000-4000-8000-000000000000', 'published')),
    ).toEqual([]);
  });

  it('sends the all-clear to exactly those the alert was sent to', async () => {
    const w = await world();
    const postId = await post(w, w.groupIds.public);
    const other = await post(w, w.groupIds.public);
    await run(w, async () => {
      const em = scope.em();
      const delivery = (member: Member, periodKey: string, status: 'sent' | 'failed') =>
        em.create(MailDeliverySchema, { member, kind: 'alert', periodKey, status });
      delivery(w.anna, alertPeriodKey(postId, 'published'), 'sent');
      delivery(w.ben, alertPeriodKey(postId, 'published'), 'sent'); // alerts turned off since: still told
      delivery(w.clara, alertPeriodKey(postId, 'published'), 'failed');
      delivery(w.dora, alertPeriodKey(other, 'published'), 'sent');
      await em.flush();
    });
    // Not resolved yet: no all-clear.
    expect(await run(w, () => alerts.recipients(postId, 'resolved'))).toEqual([]);
    await run(w, () =>
      scope
        .em()
        .nativeUpdate(NewsPostSchema, { id: postId }, { resolvedAt: new Date(), followUp: 'Alles gut.' }),
    );
    expect((await run(w, () => alerts.recipients(postId, 'resolved'))).sort()).toEqual(
      [w.anna.id, w.ben.id].sort(),
    );
  });

  it('does not see another tenant’s ledger rows', async () => {
    const w = await world();
    const postId = await post(w, w.groupIds.public, { resolvedAt: new Date() });
    const intruder = await world();
    await run(intruder, async () => {
      scope.em().create(MailDeliverySchema, {
        member: intruder.anna,
        kind: 'alert',
        periodKey: alertPeriodKey(postId, 'published'),
        status: 'sent',
      });
      await scope.em().flush();
    });
    expect(await run(w, () => alerts.recipients(postId, 'resolved'))).toEqual([]);
  });

  it('builds the alert in the recipient’s language, with body as HTML and plain text and absolute links', async () => {
    const w = await world();
    const postId = await post(w, w.groupIds.public);
    const model = await run(w, async () => {
      const community = await recipients.community();
      return alerts.build(postId, 'published', settingsOf(w.clara, 'en', 'America/New_York'), community);
    });
    expect(model).not.toBeNull();
    expect(model!.phase).toBe('published');
    expect(model!.title).toBe('Wasserrohrbruch');
    expect(model!.recipient).toEqual(settingsOf(w.clara, 'en', 'America/New_York').recipient);
    expect(model!.community).toEqual({
      id: w.tenant.id,
      slug: w.tenant.slug,
      name: w.tenant.name,
      portalUrl: `https://portal.example/t/${w.tenant.slug}`,
    });
    expect(model!.groupName).toBe('Group oeffentlich');
    expect(model!.bodyHtml).toContain('<strong>kein</strong>');
    expect(model!.bodyHtml).not.toContain('<b>');
    expect(model!.bodyText).toBe(
      'Bitte kein Leitungswasser trinken.\n\nMehr: https://example.org/info & <b>nicht</b> hier',
    );
    expect(model!.followUp).toBeNull();
    expect(model!.url).toBe(`https://portal.example/t/${w.tenant.slug}/g/oeffentlich/news/${postId}`);
    expect(model!.preferencesUrl).toBe(`https://portal.example/t/${w.tenant.slug}/me/notifications`);
    expect(model!.publishedAt).toBeInstanceOf(Date);
  });

  it('builds for the settings MailRecipients loads (language and zone of the preferences)', async () => {
    const w = await world();
    const postId = await post(w, w.groupIds.public);
    const model = await run(w, async () => {
      const community = await recipients.community();
      const settings = (await recipients.load([w.clara.id], community)).get(w.clara.id)!;
      return alerts.build(postId, 'published', settings, community);
    });
    expect(model!.recipient).toMatchObject({
      memberId: w.clara.id,
      language: 'en',
      timeZone: 'America/New_York',
    });
    expect(model!.groupName).toBe('Group oeffentlich');
  });

  it('builds the all-clear with the follow-up, in German by default', async () => {
    const w = await world();
    const postId = await post(w, w.groupIds.public, {
      resolvedAt: new Date(),
      followUp: 'Wasser ist *wieder* trinkbar.',
    });
    const model = await run(w, async () => {
      const community = await recipients.community();
      return alerts.build(postId, 'resolved', settingsOf(w.dora, 'de'), community);
    });
    expect(model).toMatchObject({
      phase: 'resolved',
      followUp: 'Wasser ist wieder trinkbar.',
      groupName: 'Gruppe oeffentlich',
      recipient: { memberId: w.dora.id, language: 'de' },
    });
  });

  it('builds nothing when the alert no longer applies', async () => {
    const w = await world();
    const deleted = await post(w, w.groupIds.public);
    const downgraded = await post(w, w.groupIds.public);
    const unresolved = await post(w, w.groupIds.public);
    const resolved = await post(w, w.groupIds.public, { resolvedAt: new Date() });
    await run(w, async () => {
      await scope.em().nativeDelete(NewsPostSchema, { id: deleted });
      await scope.em().nativeUpdate(NewsPostSchema, { id: downgraded }, { urgency: 'important' });
    });
    const built = await run(w, async () => {
      const community = await recipients.community();
      const settings = settingsOf(w.anna, 'de');
      return Promise.all([
        alerts.build(deleted, 'published', settings, community),
        alerts.build(downgraded, 'published', settings, community),
        alerts.build(unresolved, 'resolved', settings, community),
        alerts.build(resolved, 'published', settings, community),
        alerts.build(resolved, 'resolved', settings, community),
      ]);
    });
    expect(built.map((model) => model?.phase ?? null)).toEqual([null, null, null, null, 'resolved']);
  });
});
