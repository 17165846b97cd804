import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JobProducer } from '@allmende/jobs';

export const SEND_EVENT_REMINDERS_EVERY_MS = 60 * 60 * 1000;

/** The hourly reminder run of events. Upserting a scheduler is idempotent: every worker may do it. */
@Injectable()
export class EventsSchedules implements OnApplicationBootstrap {
  constructor(private readonly jobs: JobProducer) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs
      .queue('events.send-event-reminders')
      .upsertJobScheduler(
        'events.send-event-reminders',
        { every: SEND_EVENT_REMINDERS_EVERY_MS },
        { name: 'events.send-event-reminders', data: {} },
      );
  }
}
