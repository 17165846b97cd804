import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { VolunteerCallSchema } from './volunteer-call.entity';

/**
 * Something a call needs a quantity of ("Kuchen × 10"). `pledgedQuantity` is the sum of the
 * item pledges; like a shift's count it only changes in single conditional SQL updates
 * (`... where pledged_quantity + n <= quantity_needed`), so it never exceeds the need.
 */
export const VolunteerItemSchema = defineEntity({
  name: 'VolunteerItem',
  tableName: 'volunteer_items',
  extends: TenantOwnedSchema,
  properties: {
    call: () => p.manyToOne(VolunteerCallSchema).ref().createForeignKeyConstraint(false),
    name: p.string().length(200),
    quantityNeeded: p.integer(),
    pledgedQuantity: p.integer().default(0),
  },
  uniques: [{ name: 'volunteer_items_tenant_id_id_unique', properties: ['tenantId', 'id'] }],
  indexes: [{ name: 'volunteer_items_tenant_id_call_id_index', properties: ['tenantId', 'call'] }],
});

export type VolunteerItem = InferEntity<typeof VolunteerItemSchema>;
