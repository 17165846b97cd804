import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from './redis.token';

/** How often a worker reports, and how long a report counts. */
export const HEARTBEAT_EVERY_MS = 30_000;
const HEARTBEAT_TTL_SECONDS = 120;
export const HEARTBEAT_KEY = Symbol('HEARTBEAT_KEY');

/** A worker's sign of life in Redis, so operators can see whether jobs are being processed. */
@Injectable()
export class WorkerHeartbeat {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(HEARTBEAT_KEY) private readonly key: string,
  ) {}

  async record(at: Date = new Date()): Promise<void> {
    await this.redis.set(this.key, at.toISOString(), 'EX', HEARTBEAT_TTL_SECONDS);
  }

  /** When a worker last reported, or null when none did within the TTL. */
  async lastSeen(): Promise<Date | null> {
    const value = await this.redis.get(this.key);
    return value ? new Date(value) : null;
  }
}
