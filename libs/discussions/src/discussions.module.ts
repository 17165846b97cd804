import { Module } from '@nestjs/common';
import { DiscussionsService } from './discussions.service';
import { GroupDiscussionsController } from './group-discussions.controller';
import { TenantDiscussionsController } from './tenant-discussions.controller';

/** The discussions group module: threads, comments, thanks and their moderation. */
@Module({
  controllers: [GroupDiscussionsController, TenantDiscussionsController],
  providers: [DiscussionsService],
})
export class DiscussionsModule {}
