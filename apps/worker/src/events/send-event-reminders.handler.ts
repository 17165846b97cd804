import { Injectable } from '@nestjs/common';
import { EventReminders } from '@allmende/events';
import { JobHandler, type JobHandlerInstance, type JobPayload } from '@allmende/jobs';

/** Writes due event reminders in every tenant (a system job: EventReminders opens each tenant's scope). */
@Injectable()
@JobHandler('events.send-event-reminders')
export class SendEventRemindersHandler implements JobHandlerInstance<
  JobPayload<'events.send-event-reminders'>
> {
  constructor(private readonly reminders: EventReminders) {}

  async handle(): Promise<{ sent: number }> {
    return { sent: await this.reminders.sendDue() };
  }
}
