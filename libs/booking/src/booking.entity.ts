import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { BookableResourceSchema } from './bookable-resource.entity';

export const BOOKING_STATUSES = ['requested', 'approved', 'declined', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
/** Requested and approved bookings hold their slot; declined and cancelled ones free it. */
export const HOLDING_STATUSES: BookingStatus[] = ['requested', 'approved'];

export const DEPOSIT_STATUSES = ['due', 'received', 'refunded', 'withheld'] as const;
export type DepositStatus = (typeof DEPOSIT_STATUSES)[number];

/**
 * A request to use a resource for a half-open period [startsAt, endsAt). Double booking is
 * impossible in the database: the migration adds `bookings_one_booking_per_slot`, an
 * exclusion constraint over (tenant, resource, tstzrange(startsAt, endsAt, '[)')) for the
 * holding statuses, so concurrent requests cannot both win (the loser gets SQLSTATE 23P01).
 */
export const BookingSchema = defineEntity({
  name: 'Booking',
  tableName: 'bookings',
  extends: TenantOwnedSchema,
  properties: {
    resource: () => p.manyToOne(BookableResourceSchema).ref().createForeignKeyConstraint(false),
    /** The resource's group (denormalised, for the stewards' queue). */
    group: () => p.manyToOne(GroupSchema).ref().createForeignKeyConstraint(false),
    requester: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    status: p.enum(BOOKING_STATUSES).default('requested'),
    /** Markdown as written. */
    purpose: p.string().length(2000),
    expectedGuests: p.integer(),
    /** Only the requester and the stewards see it. */
    contactPhone: p.string().length(50),
    /** When the requester accepted the house rules (null when the resource has none). */
    houseRulesAcceptedAt: p.datetime().nullable(),
    /** Answers to the resource's extra fields, by field key. */
    answers: p.json<Record<string, string>>().nullable(),
    /** The steward's message with the decision (Markdown). */
    decisionMessage: p.string().length(2000).nullable(),
    decidedByMemberId: p.uuid().nullable(),
    decidedAt: p.datetime().nullable(),
    cancelledByMemberId: p.uuid().nullable(),
    cancelledAt: p.datetime().nullable(),
    /** Only for resources with a deposit, from approval on. */
    depositStatus: p.enum(DEPOSIT_STATUSES).nullable(),
    /** The stewards' notes on handing over and returning the key. */
    keyNotes: p.string().length(2000).nullable(),
  },
  // The exclusion constraint as PostgreSQL prints it (pg_get_constraintdef), so the schema
  // diff sees entity and migration agree; the migration creates it.
  checks: [
    {
      name: 'bookings_one_booking_per_slot',
      expression:
        "EXCLUDE USING gist (tenant_id WITH =, resource_id WITH =, tstzrange(starts_at, ends_at, '[)'::text) WITH &&) WHERE ((status = ANY (ARRAY['requested'::text, 'approved'::text])))",
    },
  ],
  indexes: [
    {
      name: 'bookings_tenant_id_resource_id_starts_at_index',
      properties: ['tenantId', 'resource', 'startsAt'],
    },
    {
      name: 'bookings_tenant_id_requester_id_starts_at_index',
      properties: ['tenantId', 'requester', 'startsAt'],
    },
    {
      name: 'bookings_tenant_id_group_id_status_starts_at_index',
      properties: ['tenantId', 'group', 'status', 'startsAt'],
    },
  ],
});

export type Booking = InferEntity<typeof BookingSchema>;
