export * from './entities';
export * from './discussions.module';
