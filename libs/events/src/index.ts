export * from './entities';
export * from './events.module';
