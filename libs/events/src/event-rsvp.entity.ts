import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { MemberSchema } from '@allmende/members';
import { EventSchema } from './event.entity';

export const RSVP_ANSWERS = ['yes', 'maybe', 'no'] as const;
export type RsvpAnswer = (typeof RSVP_ANSWERS)[number];

export const RSVP_STATUSES = ['confirmed', 'waitlisted'] as const;
export type RsvpStatus = (typeof RSVP_STATUSES)[number];

/**
 * A member's answer to an event, one per member and event. Only "yes" answers take places
 * (1 + guests); a "yes" that does not fit is `waitlisted` with a `position` (ascending in the
 * order of arrival) and promoted in that order. "maybe" and "no" are always `confirmed` (nothing to wait for).
 * Written only inside a transaction that holds the event's row lock (see EventRsvps).
 */
export const EventRsvpSchema = defineEntity({
  name: 'EventRsvp',
  tableName: 'event_rsvps',
  extends: TenantOwnedSchema,
  properties: {
    event: () => p.manyToOne(EventSchema).ref().createForeignKeyConstraint(false),
    member: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    answer: p.enum(RSVP_ANSWERS),
    guests: p.integer().default(0),
    status: p.enum(RSVP_STATUSES).default('confirmed'),
    /** Order on the waitlist; null unless waitlisted. */
    position: p.integer().nullable(),
    answeredAt: p.datetime(),
    /** When the day-before reminder of a "yes" was written (EventReminders); null until then. */
    remindedAt: p.datetime().nullable(),
  },
  uniques: [
    { name: 'event_rsvps_tenant_id_event_id_member_id_unique', properties: ['tenantId', 'event', 'member'] },
  ],
  indexes: [{ name: 'event_rsvps_tenant_id_member_id_index', properties: ['tenantId', 'member'] }],
});

export type EventRsvp = InferEntity<typeof EventRsvpSchema>;
