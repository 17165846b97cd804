import { Global, Module } from '@nestjs/common';
import { CalendarFeedTokens } from './calendar-feed-tokens.service';

/** Calendar feeds shared by events, booking and volunteering: secret URLs and iCal output. */
@Global()
@Module({ providers: [CalendarFeedTokens], exports: [CalendarFeedTokens] })
export class CalendarModule {}
