export * from './entities';
export * from './volunteering.module';
