import { Injectable } from '@nestjs/common';
import type { Actor } from '@allmende/auth';

/** One entry of a calendar feed, from whichever module owns it. */
export interface CalendarItem {
  /** Stable across requests (see `calendarUid`), so calendar apps update instead of duplicating. */
  uid: string;
  start: Date;
  end: Date;
  /** A whole day (or days): `start` and `end` are the first day and the day after the last, at 00:00 in the tenant's zone. */
  allDay?: boolean;
  summary: string;
  location?: string;
  /** Plain text. */
  description?: string;
  /** A link into the portal. */
  url?: string;
  /** `TENTATIVE` for unconfirmed (a requested booking, a maybe), else confirmed. */
  status?: 'CONFIRMED' | 'TENTATIVE' | 'CANCELLED';
}

export interface CalendarRange {
  from: Date;
  to: Date;
}

/**
 * A module's contribution to calendar feeds. Modules register themselves with
 * `CalendarSources.register` in `onModuleInit`; the feeds ask every registered source. Each
 * method runs inside the request's tenant scope.
 */
export interface CalendarSource {
  /** A stable name, e.g. `events`, `booking`, `volunteering`. */
  readonly name: string;
  /**
   * A member's own calendar: what they take part in (events of their groups, their bookings,
   * the shifts they pledged). `actor` is the member as the feed's owner (no session).
   */
  memberItems?(actor: Actor, range: CalendarRange): Promise<CalendarItem[]>;
  /** A group's calendar: what happens in the group (events; the occupancy of its resources). */
  groupItems?(groupId: string, range: CalendarRange): Promise<CalendarItem[]>;
  /** A bookable resource's busy times (no names), for its feed at a secret URL. */
  resourceItems?(resourceId: string, range: CalendarRange): Promise<CalendarItem[]>;
}

/** The registry of calendar sources (global; see CalendarSource). */
@Injectable()
export class CalendarSources {
  private readonly sources = new Map<string, CalendarSource>();

  register(source: CalendarSource): void {
    if (this.sources.has(source.name)) throw new Error(`calendar source "${source.name}" registered twice`);
    this.sources.set(source.name, source);
  }

  all(): CalendarSource[] {
    return [...this.sources.values()];
  }
}
