import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Actor } from '@allmende/auth';
import {
  calendarUid,
  CalendarSources,
  type CalendarItem,
  type CalendarRange,
  type CalendarSource,
} from '@allmende/calendar';
import { TenantScope } from '@allmende/db';

interface EventRow {
  id: string;
  group_key: string;
  title: string;
  description: string;
  place: string | null;
  starts_at: Date;
  ends_at: Date;
  all_day: boolean;
  cancelled_at: Date | null;
  tentative: boolean;
}

/**
 * Events in calendar feeds. A member's feed: the events of their groups, and the events they
 * answered "yes" or "maybe" to in other groups (a "maybe" or a place on the waitlist is
 * TENTATIVE). A group's feed: its events. Cancelled events stay in the feeds as CANCELLED, so
 * calendar apps remove them instead of keeping a stale copy. UIDs are `event-<id>@allmende`.
 */
@Injectable()
export class EventsCalendarSource implements CalendarSource, OnModuleInit {
  readonly name = 'events';

  constructor(
    private readonly scope: TenantScope,
    private readonly sources: CalendarSources,
  ) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  async memberItems(actor: Actor, range: CalendarRange): Promise<CalendarItem[]> {
    const memberId = actor.membership?.memberId;
    if (!memberId) return [];
    const rows = await this.scope.em().execute<EventRow[]>(
      `select e.id, g.key as group_key, e.title, e.description, e.place, e.starts_at, e.ends_at, e.all_day,
              e.cancelled_at, coalesce(r.answer = 'maybe' or r.status = 'waitlisted', false) as tentative
         from events e
         join groups g on g.id = e.group_id
         join group_modules gm on gm.group_id = e.group_id and gm.module = 'events'
         left join event_rsvps r on r.event_id = e.id and r.member_id = ?
        where e.starts_at < ? and e.ends_at > ?
          and (r.answer in ('yes', 'maybe')
               or exists (select 1 from group_members m where m.group_id = e.group_id and m.member_id = ?))
        order by e.starts_at, e.id`,
      [memberId, range.to, range.from, memberId],
    );
    return rows.map(calendarItem);
  }

  async groupItems(groupId: string, range: CalendarRange): Promise<CalendarItem[]> {
    const rows = await this.scope.em().execute<EventRow[]>(
      `select e.id, g.key as group_key, e.title, e.description, e.place, e.starts_at, e.ends_at, e.all_day,
              e.cancelled_at, false as tentative
         from events e join groups g on g.id = e.group_id
        where e.group_id = ? and e.starts_at < ? and e.ends_at > ?
        order by e.starts_at, e.id`,
      [groupId, range.to, range.from],
    );
    return rows.map(calendarItem);
  }
}

function calendarItem(row: EventRow): CalendarItem {
  return {
    uid: calendarUid('event', row.id),
    start: new Date(row.starts_at),
    end: new Date(row.ends_at),
    allDay: row.all_day,
    summary: row.title,
    ...(row.place ? { location: row.place } : {}),
    // Plain text: the Markdown as written reads well enough in a calendar app.
    ...(row.description ? { description: row.description } : {}),
    url: `/groups/${row.group_key}/events/${row.id}`,
    status: row.cancelled_at ? 'CANCELLED' : row.tentative ? 'TENTATIVE' : 'CONFIRMED',
  };
}
