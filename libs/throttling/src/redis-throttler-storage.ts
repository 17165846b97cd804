import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';

/** What the guard gets back for one hit (times in whole seconds, as @nestjs/throttler expects). */
export interface ThrottlerStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * One hit, atomically (Redis runs a script without interleaving other commands): a fixed
 * window counter (`hits`, expiring with the window) and a block (`block`, expiring after the
 * block duration). While blocked, hits are not counted; the hit that goes over the limit
 * starts the block and clears the counter, so the next window starts from zero.
 *
 * KEYS: hits, block. ARGV: window ms, limit, block ms. Returns hits, window ms left, blocked
 * (0/1), block ms left.
 */
const HIT_SCRIPT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return {tonumber(redis.call('GET', KEYS[1]) or '0'), math.max(redis.call('PTTL', KEYS[1]), 0), 1, blockLeft}
end
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local block = tonumber(ARGV[3])
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], window)
  left = window
end
if hits > limit then
  if block > 0 then
    redis.call('SET', KEYS[2], '1', 'PX', block)
    redis.call('DEL', KEYS[1])
    return {hits, left, 1, block}
  end
  return {hits, left, 1, left}
end
return {hits, left, 0, 0}
`;

/**
 * A ThrottlerStorage for @nestjs/throttler in Redis, shared by every API instance
 * (`@nest-lab/throttler-storage-redis` does not support NestJS 12). Keys live under
 * `<QUEUE_PREFIX>:throttle:` with a hash tag, so both keys of a tracker sit in one cluster
 * slot; each expires with its window or block, so nothing is left behind.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** The Redis keys of a throttler key (exported for tests and operators). */
  keys(key: string): { hits: string; block: string } {
    const base = `${this.prefix}:throttle:{${key}}`;
    return { hits: `${base}:hits`, block: `${base}:block` };
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const { hits, block } = this.keys(key);
    const result = (await this.redis.eval(
      HIT_SCRIPT,
      2,
      hits,
      block,
      Math.max(1, Math.round(ttl)),
      Math.max(0, Math.floor(limit)),
      Math.max(0, Math.round(blockDuration)),
    )) as [number, number, number, number];
    const [totalHits, windowLeft, blocked, blockLeft] = result;
    return {
      totalHits,
      timeToExpire: Math.ceil(windowLeft / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: blocked === 1 ? Math.max(1, Math.ceil(blockLeft / 1000)) : 0,
    };
  }
}
