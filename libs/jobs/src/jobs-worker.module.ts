import { Logger, Module, type DynamicModule, type Type } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, WorkerOptions } from 'bullmq';
import type { JobCatalog } from './catalog';
import { JobDispatcher } from './job-dispatcher';
import { JobHandlersModule } from './job-handlers.module';

/** One BullMQ processor per queue; every job goes through the dispatcher. */
function createQueueProcessor(queue: string, options: QueueWorkerOptions): Type<WorkerHost> {
  const logger = new Logger('Worker');
  @Processor(queue, options)
  class QueueProcessor extends WorkerHost {
    constructor(private readonly dispatcher: JobDispatcher) {
      super();
    }

    process(job: Job): Promise<unknown> {
      return this.dispatcher.dispatch(job);
    }

    /** Connection trouble (Redis restarting): logged once per event instead of BullMQ's console.error; ioredis reconnects. */
    @OnWorkerEvent('error')
    onError(error: Error): void {
      logger.warn(`queue ${queue}: ${error.message}`);
    }
  }
  Object.defineProperty(QueueProcessor, 'name', { value: `${queue}QueueProcessor` });
  return QueueProcessor;
}

/** What a queue's worker may be tuned with. */
export type QueueWorkerOptions = Pick<
  WorkerOptions,
  'concurrency' | 'limiter' | 'lockDuration' | 'stalledInterval'
>;

export interface JobsWorkerOptions {
  catalog: JobCatalog;
  concurrency: number;
  /**
   * A job's lock. A worker that dies (SIGKILL, power loss) holding a job gives it back to the
   * queue when its lock runs out: the stalled check runs at the same interval.
   */
  lockDurationMs?: number;
  /** Per-queue settings over the defaults, e.g. the mail queue's rate limit. */
  queues?: Record<string, Partial<QueueWorkerOptions>>;
}

/** Consumes every queue of the catalog. Needs QueuesModule and DatabaseModule. */
@Module({})
export class JobsWorkerModule {
  static forRoot(options: JobsWorkerOptions): DynamicModule {
    const queues = [...new Set(Object.values(options.catalog).map((definition) => definition.queue))];
    return {
      module: JobsWorkerModule,
      imports: [JobHandlersModule.forRoot(options.catalog)],
      providers: [
        JobDispatcher,
        ...queues.map((queue) =>
          createQueueProcessor(queue, {
            concurrency: options.concurrency,
            ...(options.lockDurationMs
              ? { lockDuration: options.lockDurationMs, stalledInterval: options.lockDurationMs }
              : {}),
            ...options.queues?.[queue],
          }),
        ),
      ],
    };
  }
}
