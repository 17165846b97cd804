import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';

/**
 * An event in a group. `endsAt` is exclusive; for all-day events `startsAt` and `endsAt` are
 * the first day and the day after the last, at 00:00 in the tenant's time zone. Cancelling
 * keeps the row (calendars show it as cancelled). The row is also the lock that serialises
 * RSVPs: every RSVP change locks it first (`select ... for update`).
 */
export const EventSchema = defineEntity({
  name: 'Event',
  tableName: 'events',
  extends: TenantOwnedSchema,
  properties: {
    group: () => p.manyToOne(GroupSchema).ref().createForeignKeyConstraint(false),
    author: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    title: p.string().length(200),
    /** Markdown as written. */
    description: p.text(),
    place: p.string().length(300).nullable(),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    allDay: p.boolean().default(false),
    /** Places (members plus their guests) for "yes" answers; null: unlimited. */
    capacity: p.integer().nullable(),
    editedAt: p.datetime().nullable(),
    cancelledAt: p.datetime().nullable(),
  },
  uniques: [{ name: 'events_tenant_id_id_unique', properties: ['tenantId', 'id'] }],
  indexes: [
    { name: 'events_tenant_id_group_id_starts_at_index', properties: ['tenantId', 'group', 'startsAt'] },
    { name: 'events_tenant_id_starts_at_index', properties: ['tenantId', 'startsAt'] },
  ],
});

export type Event = InferEntity<typeof EventSchema>;
