import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HEARTBEAT_EVERY_MS, JobProducer } from '@allmende/jobs';

/** Repeating jobs. Upserting a scheduler is idempotent, so every worker may do it at start. */
@Injectable()
export class SystemSchedules implements OnApplicationBootstrap {
  constructor(private readonly jobs: JobProducer) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs
      .queue('system.heartbeat')
      .upsertJobScheduler(
        'system.heartbeat',
        { every: HEARTBEAT_EVERY_MS },
        { name: 'system.heartbeat', data: {} },
      );
  }
}
