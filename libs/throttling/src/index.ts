export * from './redis-throttler-storage';
export * from './rate-limit-policies';
export * from './rate-limit.guard';
export * from './throttling.module';
