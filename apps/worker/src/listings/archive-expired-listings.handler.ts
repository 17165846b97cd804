import { Injectable } from '@nestjs/common';
import { JobHandler, type JobHandlerInstance, type JobPayload } from '@allmende/jobs';
import { ListingArchiver } from '@allmende/listings';

/** Archives the expired listings of every tenant (a system job: the archiver opens each tenant's scope). */
@Injectable()
@JobHandler('listings.archive-expired')
export class ArchiveExpiredListingsHandler implements JobHandlerInstance<
  JobPayload<'listings.archive-expired'>
> {
  constructor(private readonly archiver: ListingArchiver) {}

  async handle(): Promise<{ archived: number }> {
    return { archived: await this.archiver.archiveExpired() };
  }
}
