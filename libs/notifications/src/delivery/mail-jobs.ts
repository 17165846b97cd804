import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@allmende/core';
import { JobProducer, mailDeliveryPayload, type MailDeliveryPayload } from '@allmende/jobs';

/** Attempts of one mail: exponential backoff from MAIL_RETRY_BASE_MS (15 s) covers about an hour of SMTP trouble. */
export const MAIL_JOB_ATTEMPTS = 8;
const BULK = 50;

/** The deterministic job id of a delivery: the same member and key never queue twice while the job exists. */
export function mailJobId(payload: MailDeliveryPayload): string {
  return `mail.${payload.tenantId}.${payload.memberId}.${payload.periodKey}`;
}

/** Puts deliveries on the mail queue (validated, deterministic ids, in bulks of 50). */
@Injectable()
export class MailJobs {
  constructor(
    private readonly jobs: JobProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async enqueue(payloads: readonly MailDeliveryPayload[]): Promise<number> {
    const queue = this.jobs.queue('mail.deliver');
    for (let start = 0; start < payloads.length; start += BULK) {
      await queue.addBulk(
        payloads.slice(start, start + BULK).map((payload) => ({
          name: 'mail.deliver',
          data: mailDeliveryPayload.parse(payload),
          opts: {
            jobId: mailJobId(payload),
            attempts: MAIL_JOB_ATTEMPTS,
            backoff: { type: 'exponential', delay: this.config.MAIL_RETRY_BASE_MS },
          },
        })),
      );
    }
    return payloads.length;
  }
}
