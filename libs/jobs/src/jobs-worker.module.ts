import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import type { JobCatalog } from './catalog';
import { JobDispatcher } from './job-dispatcher';
import { JobHandlersModule } from './job-handlers.module';

/** One BullMQ processor per queue; every job goes through the dispatcher. */
function createQueueProcessor(queue: string, concurrency: number): Type<WorkerHost> {
  @Processor(queue, { concurrency })
  class QueueProcessor extends WorkerHost {
    constructor(private readonly dispatcher: JobDispatcher) {
      super();
    }

    process(job: Job): Promise<unknown> {
      return this.dispatcher.dispatch(job);
    }
  }
  Object.defineProperty(QueueProcessor, 'name', { value: `${queue}QueueProcessor` });
  return QueueProcessor;
}

export interface JobsWorkerOptions {
  catalog: JobCatalog;
  concurrency: number;
}

/** Consumes every queue of the catalog. Needs QueuesModule and DatabaseModule. */
@Module({})
export class JobsWorkerModule {
  static forRoot(options: JobsWorkerOptions): DynamicModule {
    const queues = [...new Set(Object.values(options.catalog).map((definition) => definition.queue))];
    return {
      module: JobsWorkerModule,
      imports: [JobHandlersModule.forRoot(options.catalog)],
      providers: [JobDispatcher, ...queues.map((queue) => createQueueProcessor(queue, options.concurrency))],
    };
  }
}
