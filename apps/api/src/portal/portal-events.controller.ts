import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { GroupAccess } from '@allmende/content';
import { ProblemException } from '@allmende/core';
import { EventsService, idParam, rangeQuery, rsvpBody, type EventView } from '@allmende/events';
import { groupHeading, groupTabs } from './portal-group-tabs';
import { PortalView } from './portal-view';
import { type FormBody, formText, parseForm } from './portal-forms';

/**
 * A group's events in the portal: the upcoming ones as a list, the event page, and for group
 * members the RSVP form (with guests). Everything goes through EventsService, so capacity and
 * waitlist rules are the REST API's.
 */
@ApiExcludeController()
@Controller('t/:tenant/g/:group')
export class PortalEventsController {
  constructor(
    private readonly view: PortalView,
    private readonly events: EventsService,
    private readonly access: GroupAccess,
  ) {}

  @Public()
  @Get('events')
  async list(
    @Param('group') group: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    const access = await this.access.require(actor, group, 'events');
    // Upcoming: from now for a year (the REST API's default range).
    const page = await this.events.listGroupEvents(actor, group, parseForm(rangeQuery, {}));
    const visible = context.groups.find((candidate) => candidate.id === access.group.id)!;
    const base = `${context.community.href}/g/${access.group.key}/events`;
    this.view.send(
      response,
      context,
      'events-list',
      {
        tabs: groupTabs(context, visible, 'events'),
        groupName: groupHeading(context, visible),
        events: page.items.map((event) => eventItem(event, base)),
      },
      { titleKey: 'portal.module.events', currentGroup: access.group.key },
    );
  }

  @Public()
  @Get('events/:event')
  async event(
    @Param('group') group: string,
    @Param('event') id: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!idParam.safeParse(id).success) throw ProblemException.notFound('No such event.');
    const context = await this.view.context(request, response, actor);
    const access = await this.access.require(actor, group, 'events');
    const event = await this.events.getEvent(actor, group, id);
    const visible = context.groups.find((candidate) => candidate.id === access.group.id)!;
    const base = `${context.community.href}/g/${access.group.key}/events`;
    const answer = event.myRsvp?.answer;
    this.view.send(
      response,
      context,
      'events-event',
      {
        tabs: groupTabs(context, visible, 'events'),
        groupName: groupHeading(context, visible),
        event: eventItem(event, base),
        rsvp:
          access.canWrite && !event.cancelled
            ? {
                action: `${base}/${event.id}/rsvp`,
                yes: answer === 'yes',
                maybe: answer === 'maybe',
                no: answer === 'no',
                guests: event.myRsvp?.guests ?? 0,
              }
            : undefined,
        listHref: base,
      },
      { titleKey: 'portal.module.events', currentGroup: access.group.key },
    );
  }

  /** The RSVP form's target: the answer (and guests), then the event page again. */
  @SignedIn()
  @Post('events/:event/rsvp')
  async rsvp(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('event') id: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    if (!idParam.safeParse(id).success) throw ProblemException.notFound('No such event.');
    const guests = formText(body.guests).trim();
    const event = await this.events.rsvp(
      actor,
      group,
      id,
      parseForm(rsvpBody, { answer: formText(body.answer), guests: guests ? Number(guests) : 0 }),
    );
    response.redirect(
      303,
      `/t/${encodeURIComponent(tenant)}/g/${encodeURIComponent(event.group.key)}/events/${event.id}#rsvp`,
    );
  }
}

function eventItem(event: EventView, base: string) {
  const my = event.myRsvp;
  return {
    id: event.id,
    href: `${base}/${event.id}`,
    title: event.title,
    descriptionHtml: event.descriptionHtml,
    place: event.place,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    allDay: event.allDay,
    cancelled: event.cancelled,
    capacity: event.capacity,
    counts: event.counts,
    myRsvp: my
      ? {
          answerKey: `portal.events.answer.${my.answer}`,
          guests: my.guests,
          waitlisted: my.status === 'waitlisted',
          waitlistPosition: my.waitlistPosition,
        }
      : undefined,
  };
}
