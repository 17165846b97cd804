import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DateTime } from 'luxon';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { GroupAccess } from '@allmende/content';
import { ProblemException } from '@allmende/core';
import {
  BookingService,
  createRequestBody,
  decisionBody,
  declineBody,
  idParam,
  type BookingView,
  type ResourceView,
} from '@allmende/booking';
import { groupHeading, groupTabs } from './portal-group-tabs';
import { monthCalendar, type CalendarMonth } from './portal-booking-calendar';
import { PortalView, type PortalContext } from './portal-view';
import { type FieldInfo, type FormBody, formState, formText, parseForm } from './portal-forms';

const LIST_SIZE = 20;

/** A request status's badge (KERN): waiting, confirmed, refused, withdrawn. */
const STATUS_BADGES: Record<string, string> = {
  requested: 'warning',
  approved: 'success',
  declined: 'danger',
  cancelled: 'info',
};

/**
 * The request form's fields, by the path the schema and the rules report them under: their ids
 * on the page carry the resource's key (one form per resource). An extra question's label is
 * the resource's own text (in the page's language), not the catalogue's.
 */
function requestFields(resource: ResourceView, context: PortalContext): Record<string, FieldInfo> {
  const field = (id: string, name: string): FieldInfo => ({
    id: `booking-${id}-${resource.key}`,
    labelKey: `portal.booking.field${name}`,
    errorKey: `portal.booking.errors.${name.charAt(0).toLowerCase()}${name.slice(1)}`,
  });
  const fields: Record<string, FieldInfo> = {
    start: field('start', 'Start'),
    end: field('end', 'End'),
    purpose: field('purpose', 'Purpose'),
    expectedGuests: field('guests', 'Guests'),
    contactPhone: field('phone', 'Phone'),
    acceptHouseRules: {
      id: `booking-house-rules-${resource.key}`,
      labelKey: 'portal.booking.houseRules',
      errorKey: 'portal.booking.errors.houseRules',
    },
  };
  for (const extra of resource.extraFields) {
    fields[`answers.${extra.key}`] = {
      id: `booking-answer-${resource.key}-${extra.key}`,
      labelKey: 'portal.booking.fieldAnswer',
      label: localized(extra.label, context),
      errorKey: 'portal.booking.errors.answer',
    };
  }
  return fields;
}

/** What a member typed into the request form, kept when the request is refused. */
interface RequestDraft {
  resourceKey: string;
  values: {
    start: string;
    end: string;
    purpose: string;
    expectedGuests: string;
    contactPhone: string;
    acceptHouseRules: boolean;
    answers: Record<string, string>;
  };
  errors: { path: string; message: string }[];
  /** A taken slot (409): shown as its own clear message above the form. */
  conflict?: { start: string; end: string; state: string } | null;
}

/**
 * The booking module ("Grillhütte") in the portal: per resource the month's occupancy, the
 * house rules and the request form; the member's own requests; for stewards the queue with
 * approve and decline. Everything goes through BookingService, so the REST API's rules apply
 * (rules check, exclusion constraint against double booking, who sees whom).
 */
@ApiExcludeController()
@Controller('t/:tenant/g/:group')
export class PortalBookingController {
  constructor(
    private readonly view: PortalView,
    private readonly booking: BookingService,
    private readonly access: GroupAccess,
  ) {}

  @Public()
  @Get('booking')
  async overview(
    @Param('group') group: string,
    @Query('month') month: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    await this.render(context, group, typeof month === 'string' ? month : undefined, response);
  }

  /** The request form's target: the request, then its page; a refused one shows the form again. */
  @SignedIn()
  @Post('booking/:resource/requests')
  async request(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('resource') resourceKey: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    const answers: Record<string, string> = {};
    for (const [name, value] of Object.entries(body)) {
      if (name.startsWith('answer-') && typeof value === 'string' && value.trim()) {
        answers[name.slice('answer-'.length)] = value;
      }
    }
    const values: RequestDraft['values'] = {
      start: formText(body.start),
      end: formText(body.end),
      purpose: formText(body.purpose),
      expectedGuests: formText(body.expectedGuests),
      contactPhone: formText(body.contactPhone),
      acceptHouseRules: body.acceptHouseRules === 'on',
      answers,
    };
    let created: BookingView;
    try {
      created = await this.booking.createRequest(
        actor,
        group,
        resourceKey,
        parseForm(createRequestBody, {
          start: fromLocal(values.start, context.timeZone),
          end: fromLocal(values.end, context.timeZone),
          purpose: values.purpose,
          expectedGuests: Number(values.expectedGuests || Number.NaN),
          contactPhone: values.contactPhone,
          acceptHouseRules: values.acceptHouseRules,
          answers,
        }),
      );
    } catch (error) {
      if (!(error instanceof ProblemException) || ![400, 409, 422].includes(error.problem.status))
        throw error;
      const problem = error.problem as {
        status: number;
        errors?: RequestDraft['errors'];
        conflictingSlot?: unknown;
      };
      const draft: RequestDraft = {
        resourceKey,
        values,
        errors: problem.errors ?? [],
        conflict:
          problem.status === 409
            ? ((problem.conflictingSlot as RequestDraft['conflict']) ?? { start: '', end: '', state: 'busy' })
            : undefined,
      };
      const month = DateTime.fromISO(values.start, { zone: context.timeZone });
      return this.render(
        context,
        group,
        month.isValid ? month.toFormat('yyyy-MM') : undefined,
        response,
        draft,
      );
    }
    response.redirect(
      303,
      `/t/${encodeURIComponent(tenant)}/g/${encodeURIComponent(created.group.key)}/booking/requests/${created.id}`,
    );
  }

  /** One request with its status: for its requester and the stewards (404 for others). */
  @SignedIn()
  @Get('booking/requests/:request')
  async requestPage(
    @Param('group') group: string,
    @Param('request') id: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!idParam.safeParse(id).success) throw ProblemException.notFound('No such request.');
    const context = await this.view.context(request, response, actor);
    const access = await this.access.require(actor, group, 'booking');
    const booking = await this.booking.getRequest(actor, group, id);
    const resources = await this.booking.listResources(actor, group);
    const visible = context.groups.find((candidate) => candidate.id === access.group.id)!;
    const base = `${context.community.href}/g/${access.group.key}/booking`;
    this.view.send(
      response,
      context,
      'booking-request',
      {
        tabs: groupTabs(context, visible, 'booking'),
        groupName: groupHeading(context, visible),
        request: requestItem(booking, resources.items, context, base),
        decide: access.canModerate && booking.status === 'requested',
        backHref: base,
      },
      { titleKey: 'portal.booking.requestTitle', currentGroup: access.group.key },
    );
  }

  /** A steward approves a request (optional message), then back to the queue. */
  @SignedIn()
  @Post('booking/requests/:request/approve')
  async approve(
    @Param('group') group: string,
    @Param('request') id: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!idParam.safeParse(id).success) throw ProblemException.notFound('No such request.');
    const message = formText(body.message).trim();
    const decided = await this.booking.approve(
      actor,
      group,
      id,
      parseForm(decisionBody, message ? { message } : {}),
    );
    response.redirect(303, `${communityHref(request)}/g/${decided.group.key}/booking#queue`);
  }

  /** A steward declines a request with a reason (which frees the slot). */
  @SignedIn()
  @Post('booking/requests/:request/decline')
  async decline(
    @Param('group') group: string,
    @Param('request') id: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!idParam.safeParse(id).success) throw ProblemException.notFound('No such request.');
    const decided = await this.booking.decline(
      actor,
      group,
      id,
      parseForm(declineBody, { message: formText(body.message) }),
    );
    response.redirect(303, `${communityHref(request)}/g/${decided.group.key}/booking#queue`);
  }

  private async render(
    context: PortalContext,
    group: string,
    month: string | undefined,
    response: Response,
    draft?: RequestDraft,
  ): Promise<void> {
    const { actor } = context;
    const access = await this.access.require(actor, group, 'booking');
    const visible = context.groups.find((candidate) => candidate.id === access.group.id)!;
    const base = `${context.community.href}/g/${access.group.key}/booking`;
    const shown = monthStart(month, context.timeZone);
    const { items: resources } = await this.booking.listResources(actor, group);
    const calendars = await Promise.all(
      resources.map(async (resource) => {
        const occupancy = await this.booking.occupancy(actor, group, resource.key, {
          from: shown.toUTC().toISO()!,
          to: shown.plus({ months: 1 }).toUTC().toISO()!,
        });
        // Residents who are not signed in see only "belegt": whether a day is merely asked for
        // is the members' business.
        const slots = occupancy.slots.map((slot) => ({
          ...slot,
          state: actor.membership ? slot.state : ('busy' as const),
        }));
        return monthCalendar(resource.key, shown, slots, context.locale);
      }),
    );
    const mine = actor.membership
      ? (await this.booking.myRequests(actor, group, { limit: LIST_SIZE })).items
      : [];
    const queue = access.canModerate
      ? (await this.booking.queue(actor, group, { limit: LIST_SIZE })).items
      : [];
    const monthHref = (at: DateTime) => `${base}?month=${at.toFormat('yyyy-MM')}`;
    this.view.send(
      response,
      context,
      'booking-overview',
      {
        tabs: groupTabs(context, visible, 'booking'),
        groupName: groupHeading(context, visible),
        resources: resources.map((resource, index) =>
          resourceItem(resource, calendars[index]!, context, base, access.canWrite, draft),
        ),
        previousHref: monthHref(shown.minus({ months: 1 })),
        nextHref: monthHref(shown.plus({ months: 1 })),
        // Objects, not bare lists: an empty list is falsy in Handlebars, the section must still show.
        mine: actor.membership
          ? { items: mine.map((item) => requestItem(item, resources, context, base)) }
          : undefined,
        queue: access.canModerate
          ? { items: queue.map((item) => requestItem(item, resources, context, base)) }
          : undefined,
        joinHint: !!actor.person && !access.canWrite,
      },
      {
        titleKey: 'portal.module.booking',
        currentGroup: access.group.key,
        status: draft ? (draft.conflict ? 409 : 400) : 200,
      },
    );
  }
}

function resourceItem(
  resource: ResourceView,
  calendar: CalendarMonth,
  context: PortalContext,
  base: string,
  canWrite: boolean,
  draft: RequestDraft | undefined,
) {
  const own = draft?.resourceKey === resource.key ? draft : undefined;
  const state = formState(requestFields(resource, context), own?.errors);
  const invalid = (path: string) => state.invalid[path] ?? false;
  const rules = resource.rules;
  return {
    key: resource.key,
    name: localized(resource.name, context),
    description: resource.description ? localized(resource.description, context) : undefined,
    place: resource.place,
    capacity: resource.capacity,
    rules: {
      minHours: String(rules.minHours),
      maxHours: String(rules.maxHours),
      leadTimeDays: String(rules.leadTimeDays),
      windowDays: String(rules.windowDays),
      approvalRequired: rules.approvalRequired,
      fee: rules.fee ? localized(rules.fee, context) : undefined,
    },
    houseRules: rules.houseRules ? localized(rules.houseRules, context) : undefined,
    calendar,
    form: canWrite
      ? {
          action: `${base}/${encodeURIComponent(resource.key)}/requests`,
          values: own?.values,
          errors: state.errors,
          conflict: own?.conflict,
          invalid: {
            start: invalid('start'),
            end: invalid('end'),
            purpose: invalid('purpose'),
            expectedGuests: invalid('expectedGuests'),
            contactPhone: invalid('contactPhone'),
            acceptHouseRules: invalid('acceptHouseRules'),
          },
          extraFields: resource.extraFields.map((field) => ({
            key: field.key,
            label: localized(field.label, context),
            required: field.required,
            value: own?.values.answers[field.key] ?? '',
            invalid: invalid(`answers.${field.key}`),
          })),
        }
      : undefined,
  };
}

function requestItem(booking: BookingView, resources: ResourceView[], context: PortalContext, base: string) {
  const resource = resources.find((candidate) => candidate.id === booking.resource.id);
  return {
    id: booking.id,
    href: `${base}/requests/${booking.id}`,
    resourceName: resource ? localized(resource.name, context) : booking.resource.key,
    start: booking.start,
    end: booking.end,
    status: booking.status,
    statusKey: `portal.booking.status.${booking.status}`,
    statusBadge: STATUS_BADGES[booking.status] ?? 'info',
    purpose: booking.purpose,
    expectedGuests: booking.expectedGuests,
    contactPhone: booking.contactPhone,
    requester: `${booking.requester.givenName} ${booking.requester.familyName}`,
    decisionMessage: booking.decisionMessage,
    approveAction: `${base}/requests/${booking.id}/approve`,
    declineAction: `${base}/requests/${booking.id}/decline`,
  };
}

function localized(value: { de: string; en?: string }, context: PortalContext): string {
  return (context.locale === 'en' && value.en) || value.de;
}

/** The first day of `month` (YYYY-MM) in the community's time zone; this month when absent or odd. */
function monthStart(month: string | undefined, timeZone: string): DateTime {
  const parsed =
    month && /^\d{4}-\d{2}$/.test(month) ? DateTime.fromFormat(month, 'yyyy-MM', { zone: timeZone }) : null;
  return (parsed?.isValid ? parsed : DateTime.now().setZone(timeZone)).startOf('month');
}

/**
 * A `datetime-local` field's value is wall-clock time without offset: it means the
 * community's time zone. Anything unreadable is passed on as typed, so the schema names it.
 */
function fromLocal(value: string, timeZone: string): string {
  const parsed = DateTime.fromISO(value, { zone: timeZone });
  return parsed.isValid ? parsed.toISO({ suppressMilliseconds: true })! : value;
}

function communityHref(request: Request): string {
  return `/t/${encodeURIComponent(request.tenant?.slug ?? '')}`;
}
