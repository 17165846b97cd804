import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@allmende/core';
import { JobHandler, JobProducer, type JobHandlerInstance, type JobPayload } from '@allmende/jobs';
import { DigestBatches, DigestScheduler, OutboxFanOut, type DigestRunResult } from '@allmende/notifications';

/** The digest scheduler's run (every tenant, or the one named). */
@Injectable()
@JobHandler('notifications.schedule-digests')
export class ScheduleDigestsHandler implements JobHandlerInstance<
  JobPayload<'notifications.schedule-digests'>
> {
  constructor(private readonly scheduler: DigestScheduler) {}

  handle(payload: JobPayload<'notifications.schedule-digests'>): Promise<DigestRunResult> {
    return this.scheduler.run({ tenantId: payload.tenantId });
  }
}

/** A batch of up to 50 due members → one mail delivery each. */
@Injectable()
@JobHandler('notifications.digest-batch')
export class DigestBatchHandler implements JobHandlerInstance<JobPayload<'notifications.digest-batch'>> {
  constructor(private readonly batches: DigestBatches) {}

  handle(payload: JobPayload<'notifications.digest-batch'>): Promise<{ queued: number; done: number }> {
    return this.batches.process(payload);
  }
}

/** A relayed outbox row → alert or notice deliveries. */
@Injectable()
@JobHandler('notifications.outbox-event')
export class OutboxEventHandler implements JobHandlerInstance<JobPayload<'notifications.outbox-event'>> {
  constructor(private readonly fanOut: OutboxFanOut) {}

  async handle(payload: JobPayload<'notifications.outbox-event'>): Promise<{ queued: number }> {
    return { queued: await this.fanOut.fanOut(payload.outboxEventId) };
  }
}

/** The digest scheduler repeats every DIGEST_SCHEDULE_EVERY_MS (idempotent upsert: every worker may do it). */
@Injectable()
export class NotificationsSchedules implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const queue = this.jobs.queue('notifications.schedule-digests');
    if (this.config.DIGEST_SCHEDULE === 'off') {
      await queue.removeJobScheduler('notifications.schedule-digests');
      return;
    }
    await queue.upsertJobScheduler(
      'notifications.schedule-digests',
      { every: this.config.DIGEST_SCHEDULE_EVERY_MS },
      { name: 'notifications.schedule-digests', data: {} },
    );
  }
}
