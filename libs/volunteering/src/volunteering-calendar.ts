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
import { VolunteerPledgeSchema } from './volunteer-pledge.entity';

/** Puts the shifts a member pledged into their calendar feed. */
@Injectable()
export class VolunteeringCalendar implements CalendarSource, OnModuleInit {
  readonly name = 'volunteering';

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
    const pledges = await this.scope
      .em()
      .find(
        VolunteerPledgeSchema,
        { member: memberId, shift: { startsAt: { $lt: range.to }, endsAt: { $gt: range.from } } },
        { populate: ['shift.call'], orderBy: { id: 'asc' } },
      );
    return pledges.map((pledge) => {
      const shift = pledge.shift!.getEntity();
      const call = shift.call.getEntity();
      return {
        // One entry per pledge: the same shift in two members' feeds is two different entries.
        uid: calendarUid('volunteer-pledge', pledge.id),
        start: shift.startsAt,
        end: shift.endsAt,
        summary: `Mach mit: ${call.title}`,
        ...(call.place ? { location: call.place } : {}),
        ...(call.contact ? { description: `Kontakt: ${call.contact}` } : {}),
        status: 'CONFIRMED' as const,
      };
    });
  }
}
