export * from './free-port';
export * from './embedded-postgres';
export * from './redis-server';
export * from './dev-mail-sink';
