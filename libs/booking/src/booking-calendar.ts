import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Actor } from '@allmende/auth';
import {
  calendarUid,
  CalendarSources,
  type CalendarItem,
  type CalendarRange,
  type CalendarSource,
} from '@allmende/calendar';
import { TenantScope, tenantContext } from '@allmende/db';
import type { LocalizedText } from '@allmende/groups';
import { Catalogue, type Locale } from '@allmende/i18n';
import { TenantSchema } from '@allmende/tenants';
import { BookableResourceSchema } from './bookable-resource.entity';
import { BookingSchema, HOLDING_STATUSES, type Booking } from './booking.entity';

const nameOf = (text: LocalizedText, locale: Locale) => (locale === 'en' ? text.en : undefined) ?? text.de;

/**
 * The booking module in calendar feeds: a member's own bookings in their calendar, and the
 * busy times of resources (a group's calendar, a resource's feed) without who booked them.
 * Requested bookings are TENTATIVE, approved ones CONFIRMED.
 */
@Injectable()
export class BookingCalendar implements CalendarSource, OnModuleInit {
  readonly name = 'booking';

  /** Feeds speak the community's language (calendar apps send none). */
  private readonly catalogue = Catalogue.load();

  constructor(
    private readonly scope: TenantScope,
    private readonly sources: CalendarSources,
  ) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  /** The member's own requested and approved bookings, with their purpose. */
  async memberItems(actor: Actor, range: CalendarRange): Promise<CalendarItem[]> {
    const memberId = actor.membership?.memberId;
    if (!memberId) return [];
    const bookings = await this.holding({ requester: memberId }, range);
    const locale = await this.locale();
    return bookings.map((booking) => {
      const resource = booking.resource.getEntity();
      return {
        ...this.busy(booking, locale),
        uid: calendarUid('booking', booking.id),
        summary: nameOf(resource.name, locale),
        description: booking.purpose,
      };
    });
  }

  /** Busy times of every resource of the group (no names, no purposes). */
  async groupItems(groupId: string, range: CalendarRange): Promise<CalendarItem[]> {
    const bookings = await this.holding({ group: groupId }, range);
    const locale = await this.locale();
    return bookings.map((booking) => this.busy(booking, locale));
  }

  /** The resource feed's entries (CalendarSource): see busyItems. */
  resourceItems(resourceId: string, range: CalendarRange): Promise<CalendarItem[]> {
    return this.busyItems(resourceId, range);
  }

  /**
   * The feed of one resource (kind `resource` of CalendarFeedTokens): its busy times only.
   * Called by the calendar feed route inside the tenant scope; an unknown resource has none.
   */
  async busyItems(resourceId: string, range: CalendarRange): Promise<CalendarItem[]> {
    const resource = await this.scope.em().findOne(BookableResourceSchema, { id: resourceId });
    if (!resource) return [];
    const bookings = await this.holding({ resource: resourceId }, range);
    const locale = await this.locale();
    return bookings.map((booking) => this.busy(booking, locale));
  }

  private async locale(): Promise<Locale> {
    const tenant = await this.scope.em().findOneOrFail(TenantSchema, { id: tenantContext.requireTenantId() });
    return tenant.locale;
  }

  private async holding(where: object, range: CalendarRange): Promise<Booking[]> {
    return this.scope.em().find(
      BookingSchema,
      {
        ...where,
        status: { $in: HOLDING_STATUSES },
        startsAt: { $lt: range.to },
        endsAt: { $gt: range.from },
      },
      { orderBy: { startsAt: 'asc', id: 'asc' }, populate: ['resource'] },
    );
  }

  /** What anyone may see of a booking: when, where, and how sure. The UID is not the booking's own. */
  private busy(booking: Booking, locale: Locale): CalendarItem {
    const resource = booking.resource.getEntity();
    const tentative = booking.status === 'requested';
    return {
      uid: calendarUid('booking-slot', booking.id),
      start: booking.startsAt,
      end: booking.endsAt,
      summary: this.catalogue.t(locale, tentative ? 'calendar.bookingRequested' : 'calendar.bookingBusy', {
        resource: nameOf(resource.name, locale),
      }),
      location: resource.place ?? undefined,
      status: tentative ? 'TENTATIVE' : 'CONFIRMED',
    };
  }
}
