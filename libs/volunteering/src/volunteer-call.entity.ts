import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';

export const CALL_STATUSES = ['open', 'closed'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/**
 * A call for help ("Mach mit!") of an organiser group: what, where, whom to ask, and — in
 * its own tables — the shifts and the items it needs. Closed calls take no more pledges.
 */
export const VolunteerCallSchema = defineEntity({
  name: 'VolunteerCall',
  tableName: 'volunteer_calls',
  extends: TenantOwnedSchema,
  properties: {
    /** The organiser group. */
    group: () => p.manyToOne(GroupSchema).ref().createForeignKeyConstraint(false),
    author: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    title: p.string().length(200),
    /** Markdown as written. */
    body: p.text(),
    place: p.string().length(200).nullable(),
    /** Free text the organiser typed (a phone number, "ask at the parish office"); shown as written. */
    contact: p.string().length(500).nullable(),
    status: p.enum(CALL_STATUSES).default('open'),
    closedAt: p.datetime().nullable(),
  },
  uniques: [{ name: 'volunteer_calls_tenant_id_id_unique', properties: ['tenantId', 'id'] }],
  indexes: [
    {
      name: 'volunteer_calls_tenant_id_group_id_created_at_index',
      properties: ['tenantId', 'group', 'createdAt'],
    },
    { name: 'volunteer_calls_tenant_id_created_at_index', properties: ['tenantId', 'createdAt'] },
  ],
});

export type VolunteerCall = InferEntity<typeof VolunteerCallSchema>;
