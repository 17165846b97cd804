export * from './entities';
export * from './event.entity';
export * from './event-rsvp.entity';
export * from './event-views';
export * from './events.service';
export * from './events-calendar.source';
export * from './events.module';
export * from './event-reminders.service';
