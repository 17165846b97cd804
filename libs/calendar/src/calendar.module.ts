import { Global, Module } from '@nestjs/common';
import { CalendarFeedTokens } from './calendar-feed-tokens.service';
import { CalendarSources } from './calendar-sources';

/** Calendar feeds shared by events, booking and volunteering: secret URLs and iCal output. */
@Global()
@Module({ providers: [CalendarFeedTokens, CalendarSources], exports: [CalendarFeedTokens, CalendarSources] })
export class CalendarModule {}
