export * from './calendar-feed-token.entity';
export * from './calendar-feed-tokens.service';
export * from './ical';
export * from './calendar.module';
export * from './calendar-sources';
export * from './calendar-feeds.service';
