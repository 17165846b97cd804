import { Global, Injectable, Logger, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { ModuleRef } from '@nestjs/core';
import type { JobsOptions, Queue } from 'bullmq';
import { JOBS, QUEUES, type JobName, type JobPayload } from './catalog';

/** Puts jobs on their queue after validating the payload against the catalog's schema. */
@Injectable()
export class JobProducer implements OnModuleInit {
  private readonly logger = new Logger('Queues');

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    // Without a listener BullMQ prints every connection error to the console; ours go to
    // the log. ioredis keeps reconnecting, and /health/ready reports Redis as down meanwhile.
    for (const name of Object.values(QUEUES)) {
      this.moduleRef
        .get<Queue>(getQueueToken(name), { strict: false })
        .on('error', (error) => this.logger.warn(`queue ${name}: ${error.message}`));
    }
  }

  async enqueue<Name extends JobName>(
    name: Name,
    payload: JobPayload<Name>,
    options?: JobsOptions,
  ): Promise<string> {
    const definition = JOBS[name];
    const data = definition.payload.parse(payload);
    const queue = this.moduleRef.get<Queue>(getQueueToken(definition.queue), { strict: false });
    const job = await queue.add(name, data, options);
    return job.id ?? '';
  }

  queue(name: JobName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(JOBS[name].queue), { strict: false });
  }
}

export interface QueuesModuleOptions {
  redisUrl: string;
  prefix: string;
}

/** BullMQ connection and every queue of the catalog; used by api (to enqueue) and worker. */
@Global()
@Module({})
export class QueuesModule {
  static forRoot(options: QueuesModuleOptions): DynamicModule {
    const queues = Object.values(QUEUES).map((name) => BullModule.registerQueue({ name }));
    return {
      module: QueuesModule,
      imports: [
        BullModule.forRoot({
          // BullMQ workers need maxRetriesPerRequest: null (blocking commands).
          connection: { url: options.redisUrl, maxRetriesPerRequest: null },
          prefix: options.prefix,
          defaultJobOptions: {
            attempts: 5,
            backoff: { type: 'exponential', delay: 2_000 },
            removeOnComplete: { age: 24 * 3600, count: 10_000 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        }),
        ...queues,
      ],
      providers: [JobProducer],
      exports: [JobProducer, ...queues],
    };
  }
}
