import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { apiSchema, withEtag } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import { BookingFeeds } from './booking-feeds.service';
import { BookingService } from './booking.service';
import {
  createRequestBody,
  bookingView,
  feedView,
  occupancyQuery,
  occupancyView,
  resourceList,
  resourceParam,
  resourceView,
  updateResourceBody,
  type BookingView,
  type CreateRequestInput,
  type FeedView,
  type OccupancyQuery,
  type OccupancyView,
  type ResourceView,
  type UpdateResourceInput,
} from './booking-views';

const resourceKey = new ZodValidationPipe(resourceParam);

/**
 * The bookable resources of one group, their occupancy, and requests for them. Reads are
 * `@Public()` and writes `@SignedIn()`: GroupAccess applies the module's rules in one place.
 */
@ApiTags('booking')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/groups/:group/booking/resources')
export class BookingResourcesController {
  constructor(
    private readonly booking: BookingService,
    private readonly feeds: BookingFeeds,
  ) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Bookable resources of the group, with their rules' })
  @ApiOkResponse({ schema: apiSchema(resourceList) })
  async list(
    @Param('group') group: string,
    @CurrentActor() actor: Actor,
  ): Promise<{ items: ResourceView[] }> {
    return this.booking.listResources(actor, group);
  }

  @Public()
  @Get(':resource')
  @ApiOperation({ summary: 'One bookable resource (by key), with its rules' })
  @ApiOkResponse({ schema: apiSchema(resourceView) })
  async get(
    @Param('group') group: string,
    @Param('resource', resourceKey) resource: string,
    @CurrentActor() actor: Actor,
  ): Promise<ResourceView> {
    return this.booking.getResource(actor, group, resource);
  }

  @SignedIn()
  @Patch(':resource')
  @ApiOperation({ summary: 'Edit a resource and its rules (tenant admins; audited)' })
  @ApiBody({ schema: apiSchema(updateResourceBody) })
  @ApiOkResponse({ schema: apiSchema(resourceView) })
  async update(
    @Param('group') group: string,
    @Param('resource', resourceKey) resource: string,
    @Body(new ZodValidationPipe(updateResourceBody)) body: UpdateResourceInput,
    @CurrentActor() actor: Actor,
  ): Promise<ResourceView> {
    return this.booking.updateResource(actor, group, resource, body);
  }

  @Public()
  @Get(':resource/occupancy')
  @ApiOperation({
    summary: 'Held slots in [from, to): busy or tentative; your own bookings in full (ETag)',
  })
  @ApiOkResponse({ schema: apiSchema(occupancyView) })
  async occupancy(
    @Param('group') group: string,
    @Param('resource', resourceKey) resource: string,
    @Query(new ZodValidationPipe(occupancyQuery)) query: OccupancyQuery,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OccupancyView | undefined> {
    return withEtag(request, response, await this.booking.occupancy(actor, group, resource, query));
  }

  @SignedIn()
  @Post(':resource/requests')
  @ApiOperation({
    summary: 'Request a booking (members of the group); 422 naming broken rules, 409 naming the taken slot',
  })
  @ApiBody({ schema: apiSchema(createRequestBody) })
  @ApiCreatedResponse({ schema: apiSchema(bookingView) })
  async request(
    @Param('group') group: string,
    @Param('resource', resourceKey) resource: string,
    @Body(new ZodValidationPipe(createRequestBody)) body: CreateRequestInput,
    @CurrentActor() actor: Actor,
  ): Promise<BookingView> {
    return this.booking.createRequest(actor, group, resource, body);
  }

  @SignedIn()
  @Post(':resource/calendar-feed')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "A new secret URL of the resource's busy-times iCal feed; the old one stops working (stewards; audited)",
  })
  @ApiOkResponse({ schema: apiSchema(feedView) })
  async feed(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('resource', resourceKey) resource: string,
    @CurrentActor() actor: Actor,
  ): Promise<FeedView> {
    return this.feeds.rotate(actor, tenant, group, resource);
  }
}
