import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import type { DigestModel } from '@allmende/mail';
import { MailRecipients, type MailCommunityInfo, type RecipientSettings } from '../mail-recipients';
import { loadDigestGroups } from './digest-groups';
import {
  activitySection,
  callsSection,
  eventsSection,
  listingsSection,
  newsSections,
  threadsSection,
  type SectionContext,
} from './digest-sections';

/** One member's digest of one period. */
export interface DigestRequest {
  /** From MailRecipients.load(). */
  settings: RecipientSettings;
  /** From MailRecipients.community(). */
  community: MailCommunityInfo;
  frequency: 'daily' | 'weekly';
  /** The window of "new": since <= t < until. */
  since: Date;
  until: Date;
}

/**
 * Builds a member's digest from what happened in their readable, unmuted groups in the
 * window: one query for the groups and one per section, in one transaction (one snapshot,
 * one BEGIN with the tenant setting instead of one per query). Null when nothing is new —
 * upcoming events and older calls that still need help are only worth a mail next to news.
 */
@Injectable()
export class DigestBuilder {
  constructor(
    private readonly scope: TenantScope,
    private readonly recipients: MailRecipients,
  ) {}

  /** The member's digest, or null when nothing is new (then no mail is sent). Runs in the current tenant scope. */
  build(request: DigestRequest): Promise<DigestModel | null> {
    // `required`: joins the caller's transaction when there is one.
    return this.scope.em().transactional((em) => this.buildIn(em, request), { propagation: 'required' });
  }

  private async buildIn(em: EntityManager, request: DigestRequest): Promise<DigestModel | null> {
    const { recipient, mutedGroupIds } = request.settings;
    const groups = await loadDigestGroups(em, recipient.memberId, recipient.language, mutedGroupIds);
    const context: SectionContext = {
      em,
      recipient,
      slug: request.community.slug,
      links: this.recipients.links,
      groups,
      since: request.since,
      until: request.until,
    };
    // One after the other: a transaction is one connection, which runs one query at a time anyway.
    const { urgent, news } = await newsSections(context);
    const listings = await listingsSection(context);
    const calls = await callsSection(context);
    const events = await eventsSection(context);
    const activity = await activitySection(context);
    const threads = await threadsSection(context);
    const sections = [urgent, news, listings, calls, events, activity, threads];
    if (!sections.some((section) => section.hasNew)) return null;

    const { community } = request;
    return {
      community: {
        id: community.id,
        slug: community.slug,
        name: community.name,
        portalUrl: community.portalUrl,
      },
      recipient,
      frequency: request.frequency,
      since: request.since,
      until: request.until,
      sections: {
        urgent: urgent.items,
        news: news.items,
        listings: listings.items,
        calls: calls.items,
        events: events.items,
        activity: activity.items,
        threads: threads.items,
      },
      preferencesUrl: this.recipients.links.preferences(community.slug),
      unsubscribeUrl: '',
    };
  }
}
