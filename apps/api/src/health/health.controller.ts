import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@allmende/auth';
import { ProblemException, ProblemType } from '@allmende/core';
import { HealthService, type Readiness } from './health.service';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Ready to serve: 200 `ok`, or 200 `degraded` while only Redis is down; 503 problem+json while PostgreSQL is down',
  })
  async ready(): Promise<Readiness> {
    const readiness = await this.health.readiness();
    // Without Redis the API still serves reads and writes (notifications wait in the outbox):
    // staying ready keeps an orchestrator from taking every instance out of rotation at once.
    if (readiness.status !== 'error') return readiness;
    throw new ProblemException({
      type: ProblemType.unavailable,
      title: 'Service Unavailable',
      status: HttpStatus.SERVICE_UNAVAILABLE,
      detail: 'PostgreSQL does not answer.',
      checks: readiness.checks,
      worker: readiness.worker,
    });
  }
}
