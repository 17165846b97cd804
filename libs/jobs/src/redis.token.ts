/** Injection token of the shared ioredis client (not BullMQ's: that one manages its own). */
export const REDIS = Symbol('REDIS');
