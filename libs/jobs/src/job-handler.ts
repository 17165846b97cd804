import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';

export const JOB_HANDLER_METADATA = 'allmende:job-handler';

/** Marks a provider as the one handler of a job name. */
export const JobHandler = (jobName: string): ClassDecorator => SetMetadata(JOB_HANDLER_METADATA, jobName);

export interface JobHandlerInstance<Payload = unknown> {
  handle(payload: Payload, job: Job): Promise<unknown>;
}
