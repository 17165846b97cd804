import { Module } from '@nestjs/common';
import { EventsCalendarSource } from './events-calendar.source';
import { EventsService } from './events.service';
import { GroupEventsController } from './group-events.controller';
import { TenantEventsController } from './tenant-events.controller';

/** The events group module: events, RSVPs with a waitlist, and their calendar feed items. */
@Module({
  controllers: [GroupEventsController, TenantEventsController],
  providers: [EventsService, EventsCalendarSource],
  exports: [EventsService],
})
export class EventsModule {}
