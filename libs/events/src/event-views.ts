import { z } from 'zod';
import { memberReference } from '@allmende/members';
import { RSVP_ANSWERS, RSVP_STATUSES } from './event-rsvp.entity';

/** The longest range one list may ask for (a bit more than a year). */
const MAX_RANGE_DAYS = 400;
const DAY = 24 * 60 * 60 * 1000;

/** Request bodies and queries: strict, so unknown fields are a 400. */
const eventFields = {
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().max(20_000),
  place: z.string().trim().min(1).max(300).nullable(),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  allDay: z.boolean(),
  capacity: z.number().int().min(1).max(100_000).nullable(),
};

const endsAfterStart = (input: { startsAt?: string; endsAt?: string }) =>
  input.startsAt === undefined ||
  input.endsAt === undefined ||
  new Date(input.endsAt).getTime() > new Date(input.startsAt).getTime();

export const createEventBody = z
  .strictObject({
    ...eventFields,
    description: eventFields.description.default(''),
    place: eventFields.place.default(null),
    allDay: eventFields.allDay.default(false),
    capacity: eventFields.capacity.default(null),
  })
  .refine(endsAfterStart, { path: ['endsAt'], message: 'must be after startsAt' });
export type CreateEventInput = z.infer<typeof createEventBody>;

export const editEventBody = z
  .strictObject({
    title: eventFields.title.optional(),
    description: eventFields.description.optional(),
    place: eventFields.place.optional(),
    startsAt: eventFields.startsAt.optional(),
    endsAt: eventFields.endsAt.optional(),
    allDay: eventFields.allDay.optional(),
    capacity: eventFields.capacity.optional(),
  })
  .refine((input) => Object.values(input).some((value) => value !== undefined), {
    message: 'change at least one field',
  })
  .refine(endsAfterStart, { path: ['endsAt'], message: 'must be after startsAt' });
export type EditEventInput = z.infer<typeof editEventBody>;

export const rsvpBody = z.strictObject({
  answer: z.enum(RSVP_ANSWERS),
  /** People the member brings along; they take places too (only with "yes" or "maybe"). */
  guests: z.number().int().min(0).max(20).default(0),
});
export type RsvpInput = z.infer<typeof rsvpBody>;

/**
 * `?from=&to=` (events overlapping [from, to)), paged by `limit` and `cursor`. Without `from`
 * the range starts now; without `to` it ends 366 days after `from`.
 */
export const rangeQuery = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(500).optional(),
  })
  .transform((query, context) => {
    const from = query.from ? new Date(query.from) : new Date();
    const to = query.to ? new Date(query.to) : new Date(from.getTime() + 366 * DAY);
    if (to.getTime() <= from.getTime()) {
      context.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    } else if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY) {
      context.addIssue({
        code: 'custom',
        path: ['to'],
        message: `at most ${MAX_RANGE_DAYS} days after from`,
      });
    }
    return { from, to, limit: query.limit, cursor: query.cursor };
  });
export type RangeQuery = z.output<typeof rangeQuery>;

export const idParam = z.uuid();

/** Responses. Names of other people, never their e-mail addresses. */
export const personView = memberReference;

export const myRsvpView = z.object({
  answer: z.enum(RSVP_ANSWERS),
  guests: z.number().int(),
  status: z.enum(RSVP_STATUSES),
  /** 1 for the first on the waitlist; null unless waitlisted. */
  waitlistPosition: z.number().int().nullable(),
});
export type MyRsvpView = z.infer<typeof myRsvpView>;

export const rsvpCountsView = z.object({
  /** Members with a confirmed "yes". */
  yes: z.number().int(),
  maybe: z.number().int(),
  no: z.number().int(),
  /** Places taken by confirmed "yes" answers: the members plus their guests. */
  placesTaken: z.number().int(),
  /** Null when the event has no capacity. */
  placesLeft: z.number().int().nullable(),
  /** Members on the waitlist (and the places they ask for). */
  waitlisted: z.number().int(),
  waitlistedPlaces: z.number().int(),
});
export type RsvpCountsView = z.infer<typeof rsvpCountsView>;

export const eventView = z.object({
  id: z.uuid(),
  group: z.object({ id: z.uuid(), key: z.string() }),
  title: z.string(),
  description: z.string(),
  descriptionHtml: z.string(),
  place: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  allDay: z.boolean(),
  capacity: z.number().int().nullable(),
  author: personView,
  /** The caller wrote it (may edit and cancel it). */
  mine: z.boolean(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  cancelled: z.boolean(),
  cancelledAt: z.string().nullable(),
  counts: rsvpCountsView,
  /** The caller's answer; null without one (or without login). */
  myRsvp: myRsvpView.nullable(),
});
export type EventView = z.infer<typeof eventView>;

export const eventPage = z.object({ items: z.array(eventView), nextCursor: z.string().nullable() });

export const attendeeView = personView.extend({
  answer: z.enum(RSVP_ANSWERS),
  guests: z.number().int(),
  status: z.enum(RSVP_STATUSES),
  waitlistPosition: z.number().int().nullable(),
  answeredAt: z.string(),
});
export type AttendeeView = z.infer<typeof attendeeView>;

/** Confirmed first (in the order they answered), then the waitlist in its order. */
export const attendeeList = z.object({ items: z.array(attendeeView) });
