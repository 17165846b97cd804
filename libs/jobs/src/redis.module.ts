import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { REDIS } from './redis.token';
import { HEARTBEAT_KEY, WorkerHeartbeat } from './worker-heartbeat.service';

class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    // Our own ioredis instances must be quit, or the process never exits.
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({})
export class RedisModule {
  /** `prefix` namespaces our own keys like BullMQ's (QUEUE_PREFIX). */
  static forRoot(url: string, prefix: string): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        {
          provide: REDIS,
          // Fail fast instead of queueing commands while Redis is away: callers decide.
          useFactory: () => new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false }),
        },
        RedisCloser,
        { provide: HEARTBEAT_KEY, useValue: `${prefix}:worker:heartbeat` },
        WorkerHeartbeat,
      ],
      exports: [REDIS, WorkerHeartbeat],
    };
  }
}
