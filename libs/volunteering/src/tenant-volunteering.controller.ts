import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, type Actor } from '@allmende/auth';
import { apiSchema, withEtag, type Page } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import { callListQuery, callPage, type CallListQuery, type CallView } from './volunteering-views';
import { VolunteeringService } from './volunteering.service';

/** Calls across the tenant: every group with volunteering that the caller may read ("Mach mit!" box). */
@ApiTags('volunteering')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/volunteering')
export class TenantVolunteeringController {
  constructor(private readonly volunteering: VolunteeringService) {}

  @Public()
  @Get('calls')
  @ApiOperation({
    summary:
      'Calls of every group the caller may read, newest first; ?open=true: only with open needs (ETag)',
  })
  @ApiOkResponse({ schema: apiSchema(callPage) })
  async list(
    @Query(new ZodValidationPipe(callListQuery)) query: CallListQuery,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Page<CallView> | undefined> {
    return withEtag(request, response, await this.volunteering.tenantCalls(actor, query));
  }
}
