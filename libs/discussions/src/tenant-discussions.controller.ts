import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, type Actor } from '@allmende/auth';
import { apiSchema, pageQuery, withEtag, type Page, type PageQuery } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import { threadPage, type ThreadView } from './discussion-views';
import { DiscussionsService } from './discussions.service';

/** Recent threads across the tenant: every group with discussions that the caller may read. */
@ApiTags('discussions')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/discussions')
export class TenantDiscussionsController {
  constructor(private readonly discussions: DiscussionsService) {}

  @Public()
  @Get('threads')
  @ApiOperation({
    summary: 'Recent threads of every group the caller may read, most recent activity first (ETag)',
  })
  @ApiOkResponse({ schema: apiSchema(threadPage) })
  async recent(
    @Query(new ZodValidationPipe(pageQuery)) query: PageQuery,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Page<ThreadView> | undefined> {
    return withEtag(request, response, await this.discussions.tenantThreads(actor, query));
  }
}
