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
  @ApiOperation({ summary: 'PostgreSQL and Redis answer; 503 problem+json when not' })
  async ready(): Promise<Readiness> {
    const readiness = await this.health.readiness();
    if (readiness.status === 'ok') return readiness;
    throw new ProblemException({
      type: ProblemType.unavailable,
      title: 'Service Unavailable',
      status: HttpStatus.SERVICE_UNAVAILABLE,
      detail: 'A dependency does not answer.',
      checks: readiness.checks,
    });
  }
}
