export * from './entities';
export * from './news.module';
