import { Module } from '@nestjs/common';
import { EventsModule } from '@allmende/events';
import { GroupPollsController } from './group-polls.controller';
import { PollsService } from './polls.service';

/** The polls group module ("Terminabsprachen"): date-finding polls that finalise into events. */
@Module({
  imports: [EventsModule],
  controllers: [GroupPollsController],
  providers: [PollsService],
})
export class PollsModule {}
