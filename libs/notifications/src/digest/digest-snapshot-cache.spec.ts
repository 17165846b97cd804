import type { DigestSnapshot } from './digest-snapshot';
import { DigestSnapshotCache } from './digest-snapshot-cache';

const SINCE = new Date('2026-11-20T06:00:00Z');
const UNTIL = new Date('2026-11-21T06:00:00Z');
const snapshot = (tenantId: string) => ({ tenantId }) as DigestSnapshot;

describe('DigestSnapshotCache', () => {
  let now: number;
  let cache: DigestSnapshotCache;
  beforeEach(() => {
    now = 0;
    cache = new DigestSnapshotCache({ maxEntries: 2, ttlMs: 1000, now: () => now });
  });

  it('keys by tenant and window', () => {
    expect(DigestSnapshotCache.key('a', SINCE, UNTIL)).not.toBe(DigestSnapshotCache.key('b', SINCE, UNTIL));
    expect(DigestSnapshotCache.key('a', SINCE, UNTIL)).not.toBe(DigestSnapshotCache.key('a', SINCE, SINCE));
    expect(DigestSnapshotCache.key('a', SINCE, UNTIL)).toBe(
      DigestSnapshotCache.key('a', new Date(SINCE), UNTIL),
    );
  });

  it('shares one pending load between concurrent requests', async () => {
    let resolve!: (value: DigestSnapshot) => void;
    const load = jest.fn(() => new Promise<DigestSnapshot>((done) => (resolve = done)));
    const first = cache.get('k', load);
    const second = cache.get('k', load);
    resolve(snapshot('a'));
    expect(await first).toBe(await second);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('loads again after the TTL', async () => {
    const load = jest.fn(async () => snapshot('a'));
    await cache.get('k', load);
    now = 999;
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(1);
    now = 1000;
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('forgets the least recently used entry beyond its size', async () => {
    const load = jest.fn(async () => snapshot('a'));
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('a', load); // a is now the most recently used
    await cache.get('c', load); // evicts b
    expect(load).toHaveBeenCalledTimes(3);
    await cache.get('a', load);
    expect(load).toHaveBeenCalledTimes(3);
    await cache.get('b', load);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('does not keep a failed load', async () => {
    const failing = jest.fn(async (): Promise<DigestSnapshot> => {
      throw new Error('connection lost');
    });
    await expect(cache.get('k', failing)).rejects.toThrow('connection lost');
    const load = jest.fn(async () => snapshot('a'));
    expect(await cache.get('k', load)).toEqual(snapshot('a'));
    expect(load).toHaveBeenCalledTimes(1);
  });
});
