export * from './search.service';
export * from './search.controller';
export * from './search.module';
