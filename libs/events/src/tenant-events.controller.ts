import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, type Actor } from '@allmende/auth';
import { apiSchema, withEtag, type Page } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import { eventPage, rangeQuery, type EventView, type RangeQuery } from './event-views';
import { EventsService } from './events.service';

/** The tenant-wide calendar: events of every group with events that the caller may read. */
@ApiTags('events')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/events')
export class TenantEventsController {
  constructor(private readonly events: EventsService) {}

  @Public()
  @Get()
  @ApiOperation({
    summary: 'Events of every group the caller may read overlapping ?from=&to=, by start (ETag)',
  })
  @ApiOkResponse({ schema: apiSchema(eventPage) })
  async calendar(
    @Query(new ZodValidationPipe(rangeQuery)) query: RangeQuery,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Page<EventView> | undefined> {
    return withEtag(request, response, await this.events.tenantEvents(actor, query));
  }
}
