import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JobProducer } from '@allmende/jobs';

export const SEND_SHIFT_REMINDERS_EVERY_MS = 60 * 60 * 1000;

/** The hourly reminder run of volunteering shifts. Upserting a scheduler is idempotent: every worker may do it. */
@Injectable()
export class VolunteeringSchedules implements OnApplicationBootstrap {
  constructor(private readonly jobs: JobProducer) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs
      .queue('volunteering.send-shift-reminders')
      .upsertJobScheduler(
        'volunteering.send-shift-reminders',
        { every: SEND_SHIFT_REMINDERS_EVERY_MS },
        { name: 'volunteering.send-shift-reminders', data: {} },
      );
  }
}
