import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { recordOutboxEvent } from '@allmende/content';
import { TenantScope } from '@allmende/db';

const HOUR_MS = 60 * 60 * 1000;

/**
 * The day-before reminders of shift pledges, in every tenant: for each shift pledge whose
 * shift starts in 24 to 48 hours and that was not reminded yet, one `volunteering.shift.reminder`
 * outbox row. Marking `reminded_at` and returning the rows is one UPDATE in the same transaction
 * as the outbox rows, so a second (or concurrent) run finds nothing more: idempotent.
 */
@Injectable()
export class ShiftReminders {
  private readonly logger = new Logger(ShiftReminders.name);

  constructor(private readonly scope: TenantScope) {}

  /** Returns how many reminders were written (over all tenants). */
  async sendDue(now: Date = new Date()): Promise<number> {
    const counts = await this.scope.forEachTenant((scoped) => this.sendInTenant(scoped, now));
    const sent = counts.reduce((sum, count) => sum + count, 0);
    if (sent > 0) this.logger.log({ sent }, 'sent shift reminders');
    return sent;
  }

  private sendInTenant(scoped: EntityManager, now: Date): Promise<number> {
    return scoped.transactional(async (em) => {
      const due = await em.execute<
        {
          id: string;
          member_id: string;
          shift_id: string;
          call_id: string;
          group_id: string;
          starts_at: Date;
        }[]
      >(
        `update volunteer_pledges p
              set reminded_at = ?, updated_at = now()
             from volunteer_shifts s
             join volunteer_calls c on c.id = s.call_id
            where p.shift_id = s.id and p.reminded_at is null
              and s.starts_at > ? and s.starts_at <= ?
            returning p.id, p.member_id, p.shift_id, s.call_id, c.group_id, s.starts_at`,
        [now, new Date(now.getTime() + 24 * HOUR_MS), new Date(now.getTime() + 48 * HOUR_MS)],
      );
      for (const pledge of due) {
        recordOutboxEvent(em, 'volunteering.shift.reminder', {
          groupId: pledge.group_id,
          callId: pledge.call_id,
          shiftId: pledge.shift_id,
          pledgeId: pledge.id,
          memberId: pledge.member_id,
          startsAt: new Date(pledge.starts_at).toISOString(),
        });
      }
      await em.flush();
      return due.length;
    });
  }
}
