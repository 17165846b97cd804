import { Injectable } from '@nestjs/common';
import { JobHandler, type JobHandlerInstance, type JobPayload } from '@allmende/jobs';
import { ShiftReminders } from '@allmende/volunteering';

/** Writes due shift reminders in every tenant (a system job: ShiftReminders opens each tenant's scope). */
@Injectable()
@JobHandler('volunteering.send-shift-reminders')
export class SendShiftRemindersHandler implements JobHandlerInstance<
  JobPayload<'volunteering.send-shift-reminders'>
> {
  constructor(private readonly reminders: ShiftReminders) {}

  async handle(): Promise<{ sent: number }> {
    return { sent: await this.reminders.sendDue() };
  }
}
