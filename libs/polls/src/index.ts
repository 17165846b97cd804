export * from './entities';
export * from './polls.module';
