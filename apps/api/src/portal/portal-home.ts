import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { Actor } from '@allmende/auth';
import { BookingService, type OccupancyView, type ResourceView } from '@allmende/booking';
import { ProblemException } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { EventsService, rangeQuery } from '@allmende/events';
import type { Locale } from '@allmende/i18n';
import { NewsService } from '@allmende/news';
import { VolunteeringService } from '@allmende/volunteering';
import { groupName, type PortalGroup } from './portal-groups';
import { newsItem, type NewsItem } from './portal-news-items';
import type { PortalContext } from './portal-view';

/** How much of each section the home page shows: it stays fast however much a community holds. */
const ALERTS = 3;
const NEWS = 5;
const CALLS = 4;
const EVENTS = 5;
const FREE_DAYS = 5;
/** How far ahead the Grillhütte's free days are looked for. */
const FREE_DAYS_HORIZON = 42;

export interface HomeGroup {
  key: string;
  name: string;
  href: string;
  /** The join button's form action, when the caller may join or ask to. */
  joinAction?: string;
  /** Joins at once (open groups) or asks the group's admins. */
  opensAtOnce?: boolean;
}

/** The data of templates/portal/home.hbs. */
export interface HomeData {
  alerts: NewsItem[];
  news: NewsItem[];
  calls: {
    title: string;
    href: string;
    helpers?: { pledged: number; needed: number };
    items?: { pledged: number; needed: number };
  }[];
  events: { title: string; href: string; startsAt: string; allDay: boolean; place: string | null }[];
  freeDates: { resource: string; href: string; days: string[] }[];
  myGroups: HomeGroup[];
  otherGroups: HomeGroup[];
}

/**
 * The tenant home page's sections, each through the service its REST route uses (so the same
 * visibility rules apply) and each limited to what the page shows.
 */
@Injectable()
export class PortalHome {
  constructor(
    private readonly news: NewsService,
    private readonly volunteering: VolunteeringService,
    private readonly events: EventsService,
    private readonly booking: BookingService,
    private readonly scope: TenantScope,
  ) {}

  /**
   * All sections in one transaction (TenantScope.read): one snapshot, and one BEGIN and
   * tenant setting for the page instead of one short transaction per query.
   */
  build(context: PortalContext): Promise<HomeData> {
    return this.scope.read(() => this.sections(context));
  }

  private async sections(context: PortalContext): Promise<HomeData> {
    const { actor, locale, community } = context;
    const href = community.href;
    // One query for banner and news: the feed lists active alerts first, then pinned, then newest.
    const feed = await this.news.feed(actor, { limit: NEWS + ALERTS });
    const posts = feed.items.map((post) => newsItem(post, href, locale));
    const alerts = posts.filter((post) => post.activeAlert).slice(0, ALERTS);
    const calls = await this.volunteering.openCallSummaries(actor, CALLS);
    const events = await this.events.tenantEvents(actor, rangeQuery.parse({ limit: EVENTS }));
    return {
      alerts,
      // More alerts than the banner shows stay visible among the news.
      news: posts.filter((post) => !alerts.includes(post)).slice(0, NEWS),
      calls: calls.map((call) => ({
        title: call.title,
        href: `${href}/g/${encodeURIComponent(call.groupKey)}/volunteering/${call.id}`,
        helpers:
          call.progress.helpersNeeded > 0
            ? { pledged: call.progress.helpersPledged, needed: call.progress.helpersNeeded }
            : undefined,
        items:
          call.progress.itemsNeeded > 0
            ? { pledged: call.progress.itemsPledged, needed: call.progress.itemsNeeded }
            : undefined,
      })),
      events: events.items.map((event) => ({
        title: event.title,
        href: `${href}/g/${encodeURIComponent(event.group.key)}/events/${event.id}`,
        startsAt: event.startsAt,
        allDay: event.allDay,
        place: event.place,
      })),
      freeDates: await this.freeDates(actor, context.groups, context.timeZone, locale, href),
      ...splitGroups(context, href),
    };
  }

  /** The next free days of every bookable resource (the Grillhütte) the caller may see. */
  private async freeDates(
    actor: Actor,
    groups: PortalGroup[],
    timeZone: string,
    locale: Locale,
    href: string,
  ): Promise<HomeData['freeDates']> {
    const result: HomeData['freeDates'] = [];
    const today = DateTime.now().setZone(timeZone).startOf('day');
    const from = today.plus({ days: 1 });
    const to = from.plus({ days: FREE_DAYS_HORIZON });
    for (const group of groups.filter((candidate) => candidate.modules.includes('booking'))) {
      let calendars: { resource: ResourceView; occupancy: OccupancyView }[];
      try {
        calendars = await this.booking.groupOccupancy(actor, group.key, {
          from: from.toUTC().toISO()!,
          to: to.toUTC().toISO()!,
        });
      } catch (error) {
        // A calendar for members only: anonymous residents just do not see this box.
        if (error instanceof ProblemException && error.problem.status === 401) continue;
        throw error;
      }
      for (const { resource, occupancy } of calendars) {
        result.push({
          resource: (locale === 'en' && resource.name.en) || resource.name.de,
          href: `${href}/g/${encodeURIComponent(group.key)}/booking`,
          days: freeDays(occupancy, from, FREE_DAYS_HORIZON, FREE_DAYS),
        });
      }
    }
    return result;
  }
}

/** Days (local midnight, ISO) from `from` on that no held slot touches, at most `limit`. */
export function freeDays(occupancy: OccupancyView, from: DateTime, horizon: number, limit: number): string[] {
  const slots = occupancy.slots.map((slot) => [Date.parse(slot.start), Date.parse(slot.end)] as const);
  const days: string[] = [];
  for (let offset = 0; offset < horizon && days.length < limit; offset++) {
    const start = from.plus({ days: offset });
    const dayStart = start.toMillis();
    const dayEnd = start.plus({ days: 1 }).toMillis();
    if (!slots.some(([slotStart, slotEnd]) => slotStart < dayEnd && slotEnd > dayStart)) {
      days.push(start.toUTC().toISO()!);
    }
  }
  return days;
}

/** My groups, and the ones I may join (not by invitation only). */
function splitGroups(context: PortalContext, href: string): Pick<HomeData, 'myGroups' | 'otherGroups'> {
  const view = (group: PortalGroup): HomeGroup => ({
    key: group.key,
    name: groupName(group.name, context.locale),
    href: `${href}/g/${encodeURIComponent(group.key)}`,
  });
  return {
    myGroups: context.groups.filter((group) => group.role !== null).map(view),
    otherGroups: context.groups
      .filter((group) => group.role === null && group.joinPolicy !== 'invite')
      .map((group) => ({
        ...view(group),
        joinAction: context.actor.person ? `${href}/g/${encodeURIComponent(group.key)}/join` : undefined,
        opensAtOnce: group.joinPolicy === 'open' && !!context.actor.membership,
      })),
  };
}
