import { Injectable } from '@nestjs/common';
import { JobHandler, WorkerHeartbeat, type JobHandlerInstance, type JobPayload } from '@allmende/jobs';

@Injectable()
@JobHandler('system.heartbeat')
export class HeartbeatHandler implements JobHandlerInstance<JobPayload<'system.heartbeat'>> {
  constructor(private readonly heartbeat: WorkerHeartbeat) {}

  handle(): Promise<void> {
    return this.heartbeat.record();
  }
}
