import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { JobHandler, type JobHandlerInstance, type JobPayload } from '@allmende/jobs';
import { MailDeliveries, PermanentDeliveryError, type DeliveryOutcome } from '@allmende/notifications';

/** One mail, exactly once (see MailDeliveries). A permanent SMTP refusal is not retried. */
@Injectable()
@JobHandler('mail.deliver')
export class DeliverMailHandler implements JobHandlerInstance<JobPayload<'mail.deliver'>> {
  constructor(private readonly deliveries: MailDeliveries) {}

  async handle(payload: JobPayload<'mail.deliver'>): Promise<DeliveryOutcome> {
    try {
      return await this.deliveries.deliver(payload);
    } catch (error) {
      if (error instanceof PermanentDeliveryError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }
}
