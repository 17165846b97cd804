import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { MemberSchema } from '@allmende/members';
import { VolunteerItemSchema } from './volunteer-item.entity';
import { VolunteerShiftSchema } from './volunteer-shift.entity';

/**
 * A member's pledge: either a shift (`shift` set, quantity 1) or a quantity of an item (`item`
 * set); the service writes nothing else. One pledge per member and shift, and per member and
 * item (to change a quantity, withdraw and pledge again). Withdrawing deletes the row.
 * `remindedAt` makes the day-before reminder of a shift pledge idempotent.
 */
export const VolunteerPledgeSchema = defineEntity({
  name: 'VolunteerPledge',
  tableName: 'volunteer_pledges',
  extends: TenantOwnedSchema,
  properties: {
    member: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    shift: () => p.manyToOne(VolunteerShiftSchema).ref().nullable().createForeignKeyConstraint(false),
    item: () => p.manyToOne(VolunteerItemSchema).ref().nullable().createForeignKeyConstraint(false),
    quantity: p.integer().default(1),
    remindedAt: p.datetime().nullable(),
  },
  uniques: [
    {
      name: 'volunteer_pledges_tenant_id_shift_id_member_id_unique',
      properties: ['tenantId', 'shift', 'member'],
    },
    {
      name: 'volunteer_pledges_tenant_id_item_id_member_id_unique',
      properties: ['tenantId', 'item', 'member'],
    },
  ],
  indexes: [{ name: 'volunteer_pledges_tenant_id_member_id_index', properties: ['tenantId', 'member'] }],
});

export type VolunteerPledge = InferEntity<typeof VolunteerPledgeSchema>;
