import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import type { AppConfig } from '@allmende/core';
import { REDIS } from '@allmende/jobs';
import { rateLimitSettings } from './rate-limit-policies';
import { RATE_LIMIT_SETTINGS, RateLimitGuard, rateLimitThrottlers } from './rate-limit.guard';
import { RedisThrottlerStorage } from './redis-throttler-storage';

/**
 * Abuse limits for the API app. Import it after AuthModule: global guards run in the order
 * their modules are registered, and the limiter needs the Actor the authentication guard
 * builds. Uses the shared ioredis client (RedisModule, which fails fast while Redis is away).
 */
@Module({})
export class ThrottlingModule {
  static forRoot(config: AppConfig): DynamicModule {
    const settings = rateLimitSettings(config);
    return {
      module: ThrottlingModule,
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [REDIS],
          useFactory: (redis: Redis) => ({
            throttlers: rateLimitThrottlers(settings),
            storage: new RedisThrottlerStorage(redis, config.QUEUE_PREFIX),
            // Only our own Retry-After; no X-RateLimit-* headers named after the throttlers.
            setHeaders: false,
          }),
        }),
      ],
      providers: [
        { provide: RATE_LIMIT_SETTINGS, useValue: settings },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
    };
  }
}
