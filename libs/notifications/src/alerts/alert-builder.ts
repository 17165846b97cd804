import { Injectable } from '@nestjs/common';
import { renderMarkdown } from '@allmende/content';
import { TenantScope } from '@allmende/db';
import type { AlertModel, MailCommunity } from '@allmende/mail';
import { newsSettings } from '@allmende/news';
import type { GroupModule, GroupVisibility, LocalizedText } from '@allmende/groups';
import { MailRecipients, type MailCommunityInfo, type RecipientSettings } from '../mail-recipients';
import { markdownToText } from './markdown-text';

export type AlertPhase = 'published' | 'resolved';

/** An outbox row that is an alert: which post, which phase, and not before when (a scheduled post). */
export interface AlertOccasion {
  postId: string;
  phase: AlertPhase;
  /** The post's publishAt: a post scheduled for later alerts then, not when it was written. */
  notBefore?: Date;
}

/** The ledger key of one alert mail (`mail_deliveries.period_key`): one per member, post and phase. */
export function alertPeriodKey(postId: string, phase: AlertPhase): string {
  return phase === 'published' ? `alert.${postId}` : `alert.${postId}.resolved`;
}

/**
 * Which outbox rows are alerts. `news.post.published` is written for every new post and for
 * a post raised to urgent; only the urgent ones alert (the others wait for the digest).
 * `news.alert.resolved` is the all-clear. `notBefore` is always the post's publishAt as the
 * row recorded it; the worker compares it with the clock (a past one means "now").
 */
export function alertPhaseOf(topic: string, payload: Record<string, unknown>): AlertOccasion | null {
  const postId = payload.postId;
  if (typeof postId !== 'string') return null;
  if (topic === 'news.post.published') {
    if (payload.urgency !== 'urgent') return null;
    const publishAt = typeof payload.publishAt === 'string' ? new Date(payload.publishAt) : null;
    return publishAt && !Number.isNaN(publishAt.getTime())
      ? { postId, phase: 'published', notBefore: publishAt }
      : { postId, phase: 'published' };
  }
  if (topic === 'news.alert.resolved') return { postId, phase: 'resolved' };
  return null;
}

interface AlertPostRow {
  id: string;
  title: string;
  body: string;
  urgency: string;
  publish_at: Date;
  expires_at: Date | null;
  resolved_at: Date | null;
  follow_up: string | null;
  group_id: string;
  group_key: string;
  group_name: LocalizedText;
  visibility: GroupVisibility;
  /** The group's news module settings; null when the group has no news (any more). */
  news_settings: Record<string, unknown> | null;
}

/**
 * Who gets an urgent alert, and what it says.
 *
 * Recipients of an alert: the people who can read the group's news in the portal, as
 * libs/content GroupAccess.readableGroupIds decides it —
 * - a `public` or `members` group: every member of the community (they all read its news,
 *   and an urgent post of e.g. "Neuigkeiten" is meant for the whole village);
 * - a `private` group: only its group members. Tenant admins can read private groups too,
 *   but an alert is for the people of the group, not for everyone who administers.
 * Of those, the ones with urgent alerts on (their preferences, default on); muted groups do
 * not count here, muting is about digests. The author is included: they see that the alert
 * went out and how it looks, and the ledger makes it one mail like everyone else's.
 *
 * Recipients of the all-clear: exactly those the alert was sent to (ledger rows with status
 * `sent`), whatever their settings are now: whoever was alarmed must hear it is over.
 */
@Injectable()
export class AlertBuilder {
  constructor(
    private readonly scope: TenantScope,
    private readonly mailRecipients: MailRecipients,
  ) {}

  /** Member ids to alert (inside the tenant's scope). */
  async recipients(postId: string, phase: AlertPhase): Promise<string[]> {
    const post = await this.post(postId);
    const now = new Date();
    if (!post || !isUrgent(post)) return [];
    if (phase === 'resolved') {
      if (!post.resolved_at) return [];
      const rows = await this.scope
        .em()
        .execute<{ member_id: string }[]>(
          `select member_id from mail_deliveries where period_key = ? and status = 'sent' order by member_id`,
          [alertPeriodKey(postId, 'published')],
        );
      return rows.map((row) => row.member_id);
    }
    if (!isLiveAlert(post, now) || !alertsEnabled(post)) return [];
    return this.readersWithAlertsOn(post);
  }

  /** The mail for one recipient; null when it no longer applies (gone, not urgent, not yet or no longer live). */
  async build(
    postId: string,
    phase: AlertPhase,
    settings: RecipientSettings,
    community: MailCommunityInfo,
  ): Promise<AlertModel | null> {
    const post = await this.post(postId);
    if (!post || !isUrgent(post)) return null;
    // An alert that was called off (or has expired) before this mail went out would only alarm.
    if (phase === 'published' && !isLiveAlert(post, new Date())) return null;
    if (phase === 'resolved' && !post.resolved_at) return null;
    const links = this.mailRecipients.links;
    const language = settings.recipient.language;
    return {
      community: mailCommunity(community),
      recipient: settings.recipient,
      phase,
      title: post.title,
      bodyText: markdownToText(post.body),
      bodyHtml: renderMarkdown(post.body),
      followUp: phase === 'resolved' && post.follow_up ? markdownToText(post.follow_up) : null,
      groupName: post.group_name[language] ?? post.group_name.de,
      publishedAt: new Date(post.publish_at),
      url: links.newsPost(community.slug, post.group_key, post.id),
      preferencesUrl: links.preferences(community.slug),
      // Signed per recipient by the delivery.
      unsubscribeUrl: '',
    };
  }

  private async post(postId: string): Promise<AlertPostRow | null> {
    const [row] = await this.scope.em().execute<AlertPostRow[]>(
      `select p.id, p.title, p.body, p.urgency, p.publish_at, p.expires_at, p.resolved_at, p.follow_up,
              g.id as group_id, g.key as group_key, g.name as group_name, g.visibility,
              gm.settings as news_settings
         from news_posts p
         join groups g on g.id = p.group_id
         left join group_modules gm on gm.group_id = g.id and gm.module = 'news'
        where p.id = ?`,
      [postId],
    );
    return row ?? null;
  }

  /**
   * Who reads the post's group (see the class comment) and has urgent alerts on, in a stable
   * order. Filtered in SQL rather than through MailRecipients.load: a public group's readers
   * are the whole community. "On" unless chosen otherwise, as toSettings has it.
   */
  private async readersWithAlertsOn(post: AlertPostRow): Promise<string[]> {
    const isPrivate = post.visibility === 'private';
    const readers = isPrivate
      ? 'select gm.member_id as id from group_members gm where gm.group_id = ?'
      : 'select m.id from members m';
    const rows = await this.scope.em().execute<{ id: string }[]>(
      `select r.id from (${readers}) r
         left join notification_preferences p on p.member_id = r.id
        where coalesce(p.urgent_alerts, true)
        order by r.id`,
      isPrivate ? [post.group_id] : [],
    );
    return rows.map((row) => row.id);
  }
}

function isUrgent(post: AlertPostRow): boolean {
  return post.urgency === 'urgent';
}

/** Published, not expired, not resolved: what the portal shows as the alert banner. */
function isLiveAlert(post: AlertPostRow, now: Date): boolean {
  return (
    !post.resolved_at &&
    new Date(post.publish_at) <= now &&
    (post.expires_at === null || new Date(post.expires_at) > now)
  );
}

/** Urgent alerts are a setting of the group's news module (its template); off: no mails. */
function alertsEnabled(post: AlertPostRow): boolean {
  if (!post.news_settings) return false;
  return newsSettings({ settings: post.news_settings } as GroupModule).urgentAlerts;
}

/** The community as the mail model has it (without the preference defaults). */
export function mailCommunity(community: MailCommunityInfo): MailCommunity {
  return { id: community.id, slug: community.slug, name: community.name, portalUrl: community.portalUrl };
}
