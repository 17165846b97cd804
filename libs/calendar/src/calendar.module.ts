import { Global, Module } from '@nestjs/common';
import { CalendarFeedTokens } from './calendar-feed-tokens.service';
import { CalendarFeedsController } from './calendar-feeds.controller';
import { CalendarFeeds } from './calendar-feeds.service';
import { CalendarSources } from './calendar-sources';

/** Calendar feeds shared by events, booking and volunteering: secret URLs and iCal output. */
@Global()
@Module({
  controllers: [CalendarFeedsController],
  providers: [CalendarFeedTokens, CalendarSources, CalendarFeeds],
  exports: [CalendarFeedTokens, CalendarSources, CalendarFeeds],
})
export class CalendarModule {}
