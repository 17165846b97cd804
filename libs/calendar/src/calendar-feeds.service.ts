import { Injectable, NotFoundException } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { Actor } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import { TenantScope, tenantContext } from '@allmende/db';
import { CalendarFeedTokens } from './calendar-feed-tokens.service';
import type { CalendarFeedKind } from './calendar-feed-token.entity';
import { CalendarSources, type CalendarItem, type CalendarRange } from './calendar-sources';
import { createCalendar } from './ical';

const DAY = 24 * 60 * 60 * 1000;

/** What a feed covers: a month back (recent changes stay visible) and a year ahead. */
export function feedRange(now = new Date()): CalendarRange {
  return { from: new Date(now.getTime() - 31 * DAY), to: new Date(now.getTime() + 366 * DAY) };
}

interface TenantRow {
  name: string;
  timezone: string;
}

/**
 * The calendar feeds: a member's own calendar, a group's, a resource's busy times, each from
 * every registered CalendarSource, as RFC 5545 text in the tenant's time zone.
 */
@Injectable()
export class CalendarFeeds {
  constructor(
    private readonly scope: TenantScope,
    private readonly tokens: CalendarFeedTokens,
    private readonly sources: CalendarSources,
  ) {}

  /** The feed a secret opens; 404 for an unknown or rotated secret (and for a member who left). */
  async bySecret(secret: string): Promise<string> {
    const feed = await this.tokens.resolve(secret);
    if (!feed) throw ProblemException.notFound('No such calendar feed (the link may have been renewed).');
    return this.render(feed.kind, feed.subjectId);
  }

  /** A group's feed without a secret: public groups only. */
  async publicGroupFeed(groupKey: string): Promise<string> {
    const [group] = await this.scope
      .em()
      .execute<{ id: string }[]>(`select id from groups where key = ? and visibility = 'public'`, [
        groupKey.toLowerCase(),
      ]);
    if (!group) throw ProblemException.notFound(`No public group "${groupKey}".`);
    return this.render('group', group.id);
  }

  /** A new secret URL for the caller's own feed (the old one stops working). */
  async rotateMemberFeed(actor: Actor): Promise<string> {
    return this.tokens.rotate('member', actor.membership!.memberId);
  }

  /** A new secret URL for a group's feed, for its members (the old one stops working). */
  async rotateGroupFeed(groupId: string): Promise<string> {
    return this.tokens.rotate('group', groupId);
  }

  private async render(kind: CalendarFeedKind, subjectId: string): Promise<string> {
    const range = feedRange();
    const em = this.scope.em();
    const [tenant] = await em.execute<TenantRow[]>('select name, timezone from tenants where id = ?', [
      tenantContext.requireTenantId(),
    ]);
    let title: string;
    const items: CalendarItem[] = [];
    if (kind === 'member') {
      const [member] = await em.execute<
        { id: string; role: 'tenant_admin' | 'member'; given_name: string }[]
      >('select id, role, given_name from members where id = ?', [subjectId]);
      if (!member) throw new NotFoundException();
      // The feed's owner as an Actor without a session: what they may see as a member.
      const actor: Actor = {
        person: null,
        membership: { tenantId: tenantContext.requireTenantId(), memberId: member.id, role: member.role },
      };
      for (const source of this.sources.all())
        if (source.memberItems) items.push(...(await source.memberItems(actor, range)));
      title = `${tenant!.name} – ${member.given_name}`;
    } else if (kind === 'group') {
      const [group] = await em.execute<{ name: { de: string } }[]>('select name from groups where id = ?', [
        subjectId,
      ]);
      if (!group) throw new NotFoundException();
      for (const source of this.sources.all())
        if (source.groupItems) items.push(...(await source.groupItems(subjectId, range)));
      title = `${tenant!.name} – ${group.name.de}`;
    } else {
      const [resource] = await em.execute<{ name: { de: string } }[]>(
        'select name from bookable_resources where id = ?',
        [subjectId],
      );
      if (!resource) throw new NotFoundException();
      for (const source of this.sources.all()) {
        if (source.resourceItems) items.push(...(await source.resourceItems(subjectId, range)));
      }
      title = `${tenant!.name} – ${resource.name.de}`;
    }
    const calendar = createCalendar(title, tenant!.timezone);
    for (const item of items.sort(
      (a, b) => a.start.getTime() - b.start.getTime() || a.uid.localeCompare(b.uid),
    )) {
      // Zoned values: ical-generator writes a plain Date in the machine's zone under the
      // tenant's TZID, which would shift every time by the difference.
      const zoned = (date: Date) => DateTime.fromJSDate(date, { zone: tenant!.timezone });
      calendar.createEvent({
        id: item.uid,
        start: zoned(item.start),
        end: zoned(item.end),
        allDay: item.allDay ?? false,
        timezone: tenant!.timezone,
        summary: item.summary,
        location: item.location,
        description: item.description,
        url: item.url,
        status: item.status as never,
        // DTSTAMP must be there; a fixed value keeps the feed identical between requests
        // when nothing changed (apps compare, and HTTP caches can too).
        stamp: zoned(item.start),
      });
    }
    return calendar.toString();
  }
}
