export * from './entities';
export * from './listings.module';
