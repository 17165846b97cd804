import { Inject, Injectable, Optional } from '@nestjs/common';
import { tenantContext, TenantScope } from '@allmende/db';
import type { DigestModel } from '@allmende/mail';
import { MailRecipients, type MailCommunityInfo, type RecipientSettings } from '../mail-recipients';
import { readableDigestGroups } from './digest-groups';
import {
  activitySection,
  callsSection,
  eventsSection,
  listingsSection,
  newsSections,
  threadsSection,
  type SectionContext,
} from './digest-sections';
import { loadDigestSnapshot, type DigestSnapshot } from './digest-snapshot';
import { DigestSnapshotCache, type DigestSnapshotCacheOptions } from './digest-snapshot-cache';

/** Optional provider: size and TTL of the builder's snapshot cache (defaults: 8 entries, 60 s). */
export const DIGEST_SNAPSHOT_CACHE_OPTIONS = Symbol('DIGEST_SNAPSHOT_CACHE_OPTIONS');

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
 * window. Every member of a tenant due for the same window sees the same content, filtered by
 * what they may read, what they muted and what is their own: so the content is loaded once per
 * (tenant, window) into a snapshot (a few queries in one transaction, cached briefly, see
 * DigestSnapshotCache) and each member's digest is filtered from it in memory. Null when nothing
 * is new — upcoming events and older calls that still need help are only worth a mail next to news.
 */
@Injectable()
export class DigestBuilder {
  private readonly snapshots: DigestSnapshotCache;

  constructor(
    private readonly scope: TenantScope,
    private readonly recipients: MailRecipients,
    @Optional() @Inject(DIGEST_SNAPSHOT_CACHE_OPTIONS) options?: DigestSnapshotCacheOptions,
  ) {
    this.snapshots = new DigestSnapshotCache(options);
  }

  /** The member's digest, or null when nothing is new (then no mail is sent). Runs in the current tenant scope. */
  async build(request: DigestRequest): Promise<DigestModel | null> {
    const snapshot = await this.snapshot(request.since, request.until);
    return this.buildFrom(snapshot, request);
  }

  /** Forgets the cached snapshots (tests; an admin tool that must show changes at once). */
  forgetSnapshots(): void {
    this.snapshots.clear();
  }

  /** The current tenant's snapshot of the window: cached, else loaded in the tenant's scope (RLS). */
  private snapshot(since: Date, until: Date): Promise<DigestSnapshot> {
    const tenantId = tenantContext.requireTenantId('digest content');
    return this.snapshots.get(DigestSnapshotCache.key(tenantId, since, until), () =>
      // One transaction: one consistent view, and one BEGIN with the tenant setting instead of
      // one per query. `required` joins the caller's transaction when there is one.
      this.scope
        .em()
        .transactional((em) => loadDigestSnapshot(em, tenantId, since, until), { propagation: 'required' }),
    );
  }

  private buildFrom(snapshot: DigestSnapshot, request: DigestRequest): DigestModel | null {
    const { recipient, mutedGroupIds } = request.settings;
    const context: SectionContext = {
      snapshot,
      recipient,
      slug: request.community.slug,
      links: this.recipients.links,
      groups: readableDigestGroups(snapshot, recipient.memberId, recipient.language, mutedGroupIds),
    };
    const { urgent, news } = newsSections(context);
    const listings = listingsSection(context);
    const calls = callsSection(context);
    const events = eventsSection(context);
    const activity = activitySection(context);
    const threads = threadsSection(context);
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
