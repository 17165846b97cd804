import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@allmende/auth';
import { CalendarFeedTokens } from '@allmende/calendar';
import { GroupAccess, recordAudit } from '@allmende/content';
import { APP_CONFIG, ProblemException, type AppConfig } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { BookableResourceSchema } from './bookable-resource.entity';
import type { FeedView } from './booking-views';

/**
 * The secret URL of a resource's busy-times feed. Stewards hand it out (e.g. to the hut's
 * caretaker); issuing a new one makes the old one worthless, so it is also how to revoke it.
 */
@Injectable()
export class BookingFeeds {
  constructor(
    private readonly scope: TenantScope,
    private readonly access: GroupAccess,
    private readonly tokens: CalendarFeedTokens,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async rotate(actor: Actor, tenantSlug: string, groupKey: string, resourceKey: string): Promise<FeedView> {
    const access = await this.access.requireModerate(actor, groupKey, 'booking');
    const em = this.scope.em();
    const resource = await em.findOne(BookableResourceSchema, { group: access.group.id, key: resourceKey });
    if (!resource) throw ProblemException.notFound(`No resource "${resourceKey}" in this group.`);
    const secret = await this.tokens.rotate('resource', resource.id);
    recordAudit(em, actor, {
      action: 'booking.resource.feed_rotated',
      entityType: 'bookable_resource',
      entityId: resource.id,
      details: { groupId: access.group.id },
    });
    await em.flush();
    // Absolute: the URL goes into calendar apps, which have no base to resolve it against.
    return {
      url: `${this.config.PUBLIC_URL}/api/tenants/${encodeURIComponent(tenantSlug)}/calendar/${secret}.ics`,
    };
  }
}
