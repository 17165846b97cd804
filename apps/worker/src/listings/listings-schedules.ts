import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JobProducer } from '@allmende/jobs';

export const ARCHIVE_EXPIRED_LISTINGS_EVERY_MS = 60 * 60 * 1000;

/** The hourly expiry run of listings. Upserting a scheduler is idempotent: every worker may do it. */
@Injectable()
export class ListingsSchedules implements OnApplicationBootstrap {
  constructor(private readonly jobs: JobProducer) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs
      .queue('listings.archive-expired')
      .upsertJobScheduler(
        'listings.archive-expired',
        { every: ARCHIVE_EXPIRED_LISTINGS_EVERY_MS },
        { name: 'listings.archive-expired', data: {} },
      );
  }
}
