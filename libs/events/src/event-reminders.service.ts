import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { recordOutboxEvent } from '@allmende/content';
import { TenantScope } from '@allmende/db';

const HOUR_MS = 60 * 60 * 1000;

/**
 * The day-before reminders of "yes" answers to events, in every tenant: for each confirmed
 * "yes" (not waitlisted) to an event that is not cancelled and starts in 24 to 48 hours, and
 * that was not reminded yet, one `events.event.reminder` outbox row. Marking `reminded_at`
 * and returning the rows is one UPDATE in the same transaction as the outbox rows, so a
 * second (or concurrent) run finds nothing more: idempotent. A waitlisted answer promoted
 * later is reminded by the next hourly run while its event is still in the window.
 */
@Injectable()
export class EventReminders {
  private readonly logger = new Logger(EventReminders.name);

  constructor(private readonly scope: TenantScope) {}

  /** Returns how many reminders were written (over all tenants). */
  async sendDue(now: Date = new Date()): Promise<number> {
    const counts = await this.scope.forEachTenant((scoped) => this.sendInTenant(scoped, now));
    const sent = counts.reduce((sum, count) => sum + count, 0);
    if (sent > 0) this.logger.log({ sent }, 'sent event reminders');
    return sent;
  }

  private sendInTenant(scoped: EntityManager, now: Date): Promise<number> {
    return scoped.transactional(async (em) => {
      const due = await em.execute<
        { id: string; member_id: string; event_id: string; group_id: string; starts_at: Date }[]
      >(
        `update event_rsvps r
              set reminded_at = ?, updated_at = now()
             from events e
            where r.event_id = e.id and r.reminded_at is null
              and r.answer = 'yes' and r.status = 'confirmed' and e.cancelled_at is null
              and e.starts_at > ? and e.starts_at <= ?
            returning r.id, r.member_id, r.event_id, e.group_id, e.starts_at`,
        [now, new Date(now.getTime() + 24 * HOUR_MS), new Date(now.getTime() + 48 * HOUR_MS)],
      );
      for (const rsvp of due) {
        recordOutboxEvent(em, 'events.event.reminder', {
          groupId: rsvp.group_id,
          eventId: rsvp.event_id,
          rsvpId: rsvp.id,
          memberId: rsvp.member_id,
          startsAt: new Date(rsvp.starts_at).toISOString(),
        });
      }
      await em.flush();
      return due.length;
    });
  }
}
