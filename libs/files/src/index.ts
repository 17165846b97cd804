export * from './entities';
export * from './files.module';
