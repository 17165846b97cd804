import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
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
import { apiSchema, withEtag, type Page } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import {
  attendeeList,
  createEventBody,
  editEventBody,
  eventPage,
  eventView,
  idParam,
  rangeQuery,
  rsvpBody,
  type AttendeeView,
  type CreateEventInput,
  type EditEventInput,
  type EventView,
  type RangeQuery,
  type RsvpInput,
} from './event-views';
import { EventsService } from './events.service';

const id = new ZodValidationPipe(idParam);

/**
 * The events of one group. Reads are `@Public()` and writes `@SignedIn()`: the module's rules
 * (visibility, membership, moderation) are applied in one place, GroupAccess.
 */
@ApiTags('events')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/groups/:group/events')
export class GroupEventsController {
  constructor(private readonly events: EventsService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Events of the group overlapping ?from=&to=, by start (ETag)' })
  @ApiOkResponse({ schema: apiSchema(eventPage) })
  async list(
    @Param('group') group: string,
    @Query(new ZodValidationPipe(rangeQuery)) query: RangeQuery,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Page<EventView> | undefined> {
    return withEtag(request, response, await this.events.listGroupEvents(actor, group, query));
  }

  @SignedIn()
  @Post()
  @ApiOperation({ summary: 'Create an event (members of the group)' })
  @ApiBody({ schema: apiSchema(createEventBody) })
  @ApiCreatedResponse({ schema: apiSchema(eventView) })
  async create(
    @Param('group') group: string,
    @Body(new ZodValidationPipe(createEventBody)) body: CreateEventInput,
    @CurrentActor() actor: Actor,
  ): Promise<EventView> {
    return this.events.createEvent(actor, group, body);
  }

  @Public()
  @Get(':id')
  @ApiOperation({ summary: 'One event with its RSVP counts and the caller’s RSVP' })
  @ApiOkResponse({ schema: apiSchema(eventView) })
  async get(
    @Param('group') group: string,
    @Param('id', id) eventId: string,
    @CurrentActor() actor: Actor,
  ): Promise<EventView> {
    return this.events.getEvent(actor, group, eventId);
  }

  @SignedIn()
  @Patch(':id')
  @ApiOperation({ summary: 'Edit an event (its author or a group admin; audited for admins)' })
  @ApiBody({ schema: apiSchema(editEventBody) })
  @ApiOkResponse({ schema: apiSchema(eventView) })
  async edit(
    @Param('group') group: string,
    @Param('id', id) eventId: string,
    @Body(new ZodValidationPipe(editEventBody)) body: EditEventInput,
    @CurrentActor() actor: Actor,
  ): Promise<EventView> {
    return this.events.editEvent(actor, group, eventId, body);
  }

  @SignedIn()
  @Post(':id/cancel')
  @ApiOperation({ summary: 'Cancel an event (its author or a group admin; audited for admins)' })
  @ApiCreatedResponse({ schema: apiSchema(eventView) })
  async cancel(
    @Param('group') group: string,
    @Param('id', id) eventId: string,
    @CurrentActor() actor: Actor,
  ): Promise<EventView> {
    return this.events.cancelEvent(actor, group, eventId);
  }

  @SignedIn()
  @Put(':id/rsvp')
  @ApiOperation({
    summary: 'Answer yes / maybe / no with guests (members of the group); a "yes" beyond capacity waits',
  })
  @ApiBody({ schema: apiSchema(rsvpBody) })
  @ApiOkResponse({ schema: apiSchema(eventView) })
  async rsvp(
    @Param('group') group: string,
    @Param('id', id) eventId: string,
    @Body(new ZodValidationPipe(rsvpBody)) body: RsvpInput,
    @CurrentActor() actor: Actor,
  ): Promise<EventView> {
    return this.events.rsvp(actor, group, eventId, body);
  }

  @SignedIn()
  @Delete(':id/rsvp')
  @ApiOperation({ summary: 'Withdraw the caller’s answer (frees its places for the waitlist)' })
  @ApiOkResponse({ schema: apiSchema(eventView) })
  async withdraw(
    @Param('group') group: string,
    @Param('id', id) eventId: string,
    @CurrentActor() actor: Actor,
  ): Promise<EventView> {
    return this.events.rsvp(actor, group, eventId, null);
  }

  @SignedIn()
  @Get(':id/attendees')
  @ApiOperation({ summary: 'Who answered what, names only (the author and group admins)' })
  @ApiOkResponse({ schema: apiSchema(attendeeList) })
  async attendees(
    @Param('group') group: string,
    @Param('id', id) eventId: string,
    @CurrentActor() actor: Actor,
  ): Promise<{ items: AttendeeView[] }> {
    return { items: await this.events.attendees(actor, group, eventId) };
  }
}
