import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { testRun } from '../../../test/support/test-run';
import { RedisThrottlerStorage } from './redis-throttler-storage';

/** The storage against the real Redis: atomic counting, expiry, blocking, shared state. */
describe('RedisThrottlerStorage', () => {
  const clients: Redis[] = [];
  const prefix = `${testRun().queuePrefix}-storage`;

  function storage(): { store: RedisThrottlerStorage; redis: Redis } {
    const redis = new Redis(testRun().redisUrl);
    clients.push(redis);
    return { store: new RedisThrottlerStorage(redis, prefix), redis };
  }

  afterAll(async () => {
    for (const client of clients) await client.quit();
  });

  it('counts concurrent hits exactly: never more than the limit pass', async () => {
    const { store } = storage();
    const key = `search:ip:${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 60 }, () => store.increment(key, 60_000, 10, 60_000, 'ip')),
    );
    expect(results.filter((result) => !result.isBlocked)).toHaveLength(10);
    expect(results.filter((result) => result.isBlocked)).toHaveLength(50);
    for (const result of results.filter((result) => result.isBlocked)) {
      expect(result.timeToBlockExpire).toBeGreaterThanOrEqual(1);
      expect(result.timeToBlockExpire).toBeLessThanOrEqual(60);
    }
  });

  it('puts the keys under the prefix and gives them the window or block as TTL', async () => {
    const { store, redis } = storage();
    const key = `login:ip:${randomUUID()}`;
    await store.increment(key, 30_000, 1, 90_000, 'ip');
    const { hits, block } = store.keys(key);
    expect(hits.startsWith(`${prefix}:throttle:{`)).toBe(true);
    const windowLeft = await redis.pttl(hits);
    expect(windowLeft).toBeGreaterThan(0);
    expect(windowLeft).toBeLessThanOrEqual(30_000);
    expect(await redis.exists(block)).toBe(0);
    const over = await store.increment(key, 30_000, 1, 90_000, 'ip');
    expect(over.isBlocked).toBe(true);
    const blockLeft = await redis.pttl(block);
    expect(blockLeft).toBeGreaterThan(30_000);
    expect(blockLeft).toBeLessThanOrEqual(90_000);
  });

  it('shares counts between instances and survives a new connection (an API restart)', async () => {
    const key = `uploads:member:${randomUUID()}`;
    const first = storage();
    expect((await first.store.increment(key, 60_000, 2, 60_000, 'member')).totalHits).toBe(1);
    expect((await storage().store.increment(key, 60_000, 2, 60_000, 'member')).totalHits).toBe(2);
    await first.redis.quit();
    clients.splice(clients.indexOf(first.redis), 1);
    const restarted = storage();
    expect((await restarted.store.increment(key, 60_000, 2, 60_000, 'member')).isBlocked).toBe(true);
  });

  it('starts from zero when the window is over, and after a block', async () => {
    const { store } = storage();
    const windowKey = `search:ip:${randomUUID()}`;
    expect((await store.increment(windowKey, 300, 1, 0, 'ip')).isBlocked).toBe(false);
    // Without a block duration, over the limit is refused until the window ends.
    expect((await store.increment(windowKey, 300, 1, 0, 'ip')).isBlocked).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const fresh = await store.increment(windowKey, 300, 1, 0, 'ip');
    expect(fresh).toMatchObject({ totalHits: 1, isBlocked: false });

    const blockKey = `booking:member:${randomUUID()}`;
    await store.increment(blockKey, 60_000, 1, 300, 'member');
    expect((await store.increment(blockKey, 60_000, 1, 300, 'member')).isBlocked).toBe(true);
    // While blocked, hits are not counted; after the block the count starts again.
    expect((await store.increment(blockKey, 60_000, 1, 300, 'member')).isBlocked).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await store.increment(blockKey, 60_000, 1, 300, 'member')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });
});
