import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, SignedIn, type Actor } from '@allmende/auth';
import { apiSchema, pageQuery, type Page, type PageQuery } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import { BookingService } from './booking.service';
import {
  bookingPage,
  bookingView,
  decisionBody,
  declineBody,
  handoverBody,
  idParam,
  queueQuery,
  type BookingView,
  type DecisionInput,
  type HandoverInput,
  type QueueQuery,
} from './booking-views';

const id = new ZodValidationPipe(idParam);

/** Booking requests of one group: the requester's own, and the stewards' queue and decisions. */
@ApiTags('booking')
@ApiBearerAuth()
@SignedIn()
@Controller('api/tenants/:tenant/groups/:group/booking/requests')
export class BookingRequestsController {
  constructor(private readonly booking: BookingService) {}

  @Get('mine')
  @ApiOperation({ summary: 'Your own requests in the group, latest start first' })
  @ApiOkResponse({ schema: apiSchema(bookingPage) })
  async mine(
    @Param('group') group: string,
    @Query(new ZodValidationPipe(pageQuery)) query: PageQuery,
    @CurrentActor() actor: Actor,
  ): Promise<Page<BookingView>> {
    return this.booking.myRequests(actor, group, query);
  }

  @Get()
  @ApiOperation({ summary: "The stewards' queue: requests by status (default requested), soonest first" })
  @ApiOkResponse({ schema: apiSchema(bookingPage) })
  async queue(
    @Param('group') group: string,
    @Query(new ZodValidationPipe(queueQuery)) query: QueueQuery,
    @CurrentActor() actor: Actor,
  ): Promise<Page<BookingView>> {
    return this.booking.queue(actor, group, query);
  }

  @Get(':request')
  @ApiOperation({ summary: 'One request (its requester and the stewards)' })
  @ApiOkResponse({ schema: apiSchema(bookingView) })
  async get(
    @Param('group') group: string,
    @Param('request', id) request: string,
    @CurrentActor() actor: Actor,
  ): Promise<BookingView> {
    return this.booking.getRequest(actor, group, request);
  }

  @Post(':request/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve a request, with an optional message (stewards; audited)' })
  @ApiBody({ schema: apiSchema(decisionBody) })
  @ApiOkResponse({ schema: apiSchema(bookingView) })
  async approve(
    @Param('group') group: string,
    @Param('request', id) request: string,
    @Body(new ZodValidationPipe(decisionBody)) body: DecisionInput,
    @CurrentActor() actor: Actor,
  ): Promise<BookingView> {
    return this.booking.approve(actor, group, request, body);
  }

  @Post(':request/decline')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decline a request with a message; frees the slot (stewards; audited)' })
  @ApiBody({ schema: apiSchema(declineBody) })
  @ApiOkResponse({ schema: apiSchema(bookingView) })
  async decline(
    @Param('group') group: string,
    @Param('request', id) request: string,
    @Body(new ZodValidationPipe(declineBody)) body: DecisionInput,
    @CurrentActor() actor: Actor,
  ): Promise<BookingView> {
    return this.booking.decline(actor, group, request, body);
  }

  @Post(':request/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a request or booking; frees the slot (requester; stewards: audited)' })
  @ApiBody({ schema: apiSchema(decisionBody) })
  @ApiOkResponse({ schema: apiSchema(bookingView) })
  async cancel(
    @Param('group') group: string,
    @Param('request', id) request: string,
    @Body(new ZodValidationPipe(decisionBody)) body: DecisionInput,
    @CurrentActor() actor: Actor,
  ): Promise<BookingView> {
    return this.booking.cancel(actor, group, request, body);
  }

  @Patch(':request/handover')
  @ApiOperation({ summary: 'Deposit state and key hand-over notes (stewards; audited)' })
  @ApiBody({ schema: apiSchema(handoverBody) })
  @ApiOkResponse({ schema: apiSchema(bookingView) })
  async handover(
    @Param('group') group: string,
    @Param('request', id) request: string,
    @Body(new ZodValidationPipe(handoverBody)) body: HandoverInput,
    @CurrentActor() actor: Actor,
  ): Promise<BookingView> {
    return this.booking.handover(actor, group, request, body);
  }
}
