export * from './outbox-event.entity';
