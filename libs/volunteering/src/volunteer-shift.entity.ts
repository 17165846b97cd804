import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { VolunteerCallSchema } from './volunteer-call.entity';

/**
 * A shift of a call: a time and how many helpers it needs. `pledgedCount` is the number of
 * shift pledges; it only changes in single conditional SQL updates
 * (`pledged_count + 1 ... where pledged_count < helpers_needed`), which lock the row, so
 * concurrent pledges can never push it past `helpersNeeded`.
 */
export const VolunteerShiftSchema = defineEntity({
  name: 'VolunteerShift',
  tableName: 'volunteer_shifts',
  extends: TenantOwnedSchema,
  properties: {
    call: () => p.manyToOne(VolunteerCallSchema).ref().createForeignKeyConstraint(false),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    helpersNeeded: p.integer(),
    pledgedCount: p.integer().default(0),
  },
  uniques: [{ name: 'volunteer_shifts_tenant_id_id_unique', properties: ['tenantId', 'id'] }],
  indexes: [
    {
      name: 'volunteer_shifts_tenant_id_call_id_starts_at_index',
      properties: ['tenantId', 'call', 'startsAt'],
    },
    { name: 'volunteer_shifts_tenant_id_starts_at_index', properties: ['tenantId', 'startsAt'] },
  ],
});

export type VolunteerShift = InferEntity<typeof VolunteerShiftSchema>;
