import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { testRun } from '../../../test/support/test-run';
import type { RateLimitSettings } from './rate-limit-policies';
import { RateLimitGuard, rateLimitThrottlers } from './rate-limit.guard';
import { RedisThrottlerStorage } from './redis-throttler-storage';

/** The guard with a real Redis, one that does not answer, and a route outside its table. */
describe('RateLimitGuard', () => {
  const settings: RateLimitSettings = {
    enabled: true,
    limits: {
      login: { perMember: 1, perIp: 1, windowSeconds: 60 },
      search: { perMember: 1, perIp: 1, windowSeconds: 60 },
      uploads: { perMember: 1, perIp: 1, windowSeconds: 60 },
      booking: { perMember: 1, perIp: 1, windowSeconds: 60 },
    },
  };
  const clients: Redis[] = [];

  afterAll(() => {
    for (const client of clients) client.disconnect();
  });

  async function guardOn(redis: Redis): Promise<RateLimitGuard> {
    clients.push(redis);
    const guard = new RateLimitGuard(
      { throttlers: rateLimitThrottlers(settings), setHeaders: false },
      new RedisThrottlerStorage(redis, `${testRun().queuePrefix}-guard-${randomUUID()}`),
      new Reflector(),
      settings,
    );
    await guard.onModuleInit();
    return guard;
  }

  /** The HTTP context of a request that Express matched to `routePath`. */
  function http(method: string, routePath: string, ip: string) {
    const headers = new Map<string, string>();
    const request = { method, route: { path: routePath }, ip, headers: {} };
    const response = { setHeader: (name: string, value: string) => headers.set(name, value) };
    const context = {
      getType: () => 'http',
      getHandler: () => http,
      getClass: () => RateLimitGuard,
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    } as unknown as ExecutionContext;
    return { context, headers };
  }

  it('refuses the hit over the limit with 429 and Retry-After', async () => {
    const guard = await guardOn(new Redis(testRun().redisUrl));
    const ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    expect(await guard.canActivate(http('GET', '/api/tenants/:tenant/search', ip).context)).toBe(true);
    const second = http('GET', '/api/tenants/:tenant/search', ip);
    await expect(guard.canActivate(second.context)).rejects.toMatchObject({
      problem: { status: 429, type: '/problems/too-many-requests' },
    });
    expect(Number(second.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
  });

  it('lets requests through when Redis does not answer', async () => {
    // A port that accepts nothing: listen, note it, close.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const dead = new Redis(port, '127.0.0.1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    });
    dead.on('error', () => undefined);
    const guard = await guardOn(dead);
    for (let hit = 1; hit <= 3; hit++) {
      expect(
        await guard.canActivate(http('GET', '/api/tenants/:tenant/search', '198.51.100.7').context),
      ).toBe(true);
    }
  });

  it('never counts a route outside its table', async () => {
    const redis = new Redis(testRun().redisUrl);
    const guard = await guardOn(redis);
    for (let hit = 1; hit <= 3; hit++) {
      expect(await guard.canActivate(http('GET', '/api/tenants/:tenant/news', '198.51.100.8').context)).toBe(
        true,
      );
    }
  });
});
