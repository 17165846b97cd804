import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type Group } from '@allmende/groups';
import { MemberSchema, type Member } from '@allmende/members';
import { NewsPostSchema, type NewsPost } from '@allmende/news';
import { NotificationPreferencesSchema } from '@allmende/notifications';
import { recordOutboxEvent } from '@allmende/outbox';
import type { Tenant } from '@allmende/tenants';
import { createTenant } from './fixtures';

export interface MailMemberSeed {
  email: string;
  /** Saved preferences; absent: the community's defaults (daily 07:00, its language, alerts on). */
  prefs?: {
    frequency?: 'off' | 'daily' | 'weekly';
    hour?: number;
    language?: 'de' | 'en';
    mutedGroupKeys?: string[];
    urgentAlerts?: boolean;
    timeZone?: string | null;
  };
}

export interface MailCommunity {
  tenant: Tenant;
  /** `neuigkeiten` (public, news with urgent alerts) and `verein` (public, news). */
  groups: Record<'neuigkeiten' | 'verein', Group>;
  members: Member[];
  scope: TenantScope;
}

/** A community for mail tests: two public news groups and members with the preferences given. */
export async function createMailCommunity(
  orm: MikroORM,
  name: string,
  seeds: MailMemberSeed[],
): Promise<MailCommunity> {
  const tenant = await createTenant(orm, name);
  const scope = new TenantScope(orm);
  return scope.run(tenant.id, async (em) => {
    const neuigkeiten = em.create(GroupSchema, {
      key: 'neuigkeiten',
      name: { de: 'Neuigkeiten', en: 'News' },
      visibility: 'public',
    });
    const verein = em.create(GroupSchema, { key: 'verein', name: { de: 'Verein' }, visibility: 'public' });
    em.create(GroupModuleSchema, { group: neuigkeiten, module: 'news', settings: { urgentAlerts: true } });
    em.create(GroupModuleSchema, { group: verein, module: 'news', settings: {} });
    const groups = { neuigkeiten, verein };
    const members = seeds.map((seed) => {
      const [givenName = '', familyName = ''] = seed.email.split('@')[0]!.split('.');
      const member = em.create(MemberSchema, { email: seed.email, givenName, familyName });
      em.create(GroupMemberSchema, { group: neuigkeiten, member, role: 'member' });
      if (seed.prefs) {
        em.create(NotificationPreferencesSchema, {
          member,
          digestFrequency: seed.prefs.frequency ?? 'daily',
          digestHour: seed.prefs.hour ?? 7,
          digestWeekday: 1,
          mutedGroupIds: (seed.prefs.mutedGroupKeys ?? []).map(
            (key) => groups[key as keyof typeof groups].id,
          ),
          urgentAlerts: seed.prefs.urgentAlerts ?? true,
          language: seed.prefs.language ?? 'de',
          timeZone: seed.prefs.timeZone ?? null,
        });
      }
      return member;
    });
    await em.flush();
    return { tenant, groups, members, scope };
  });
}

/** A news post as NewsService writes it, with the outbox row of its publication. */
export async function publishNews(
  community: MailCommunity,
  group: Group,
  post: {
    title: string;
    body?: string;
    urgency?: 'normal' | 'important' | 'urgent';
    pinned?: boolean;
    publishAt: Date;
  },
): Promise<NewsPost> {
  return community.scope.run(community.tenant.id, async (em) => {
    const created = em.create(NewsPostSchema, {
      group,
      author: null,
      categoryKey: 'allgemein',
      title: post.title,
      body: post.body ?? `${post.title}: alle Einzelheiten.`,
      urgency: post.urgency ?? 'normal',
      pinned: post.pinned ?? false,
      publishAt: post.publishAt,
    });
    recordOutboxEvent(em, 'news.post.published', {
      postId: created.id,
      groupId: group.id,
      groupKey: group.key,
      category: created.categoryKey,
      urgency: created.urgency,
      publishAt: post.publishAt.toISOString(),
      authorMemberId: null,
    });
    await em.flush();
    return created;
  });
}
