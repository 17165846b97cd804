import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { GroupSchema, type LocalizedText } from '@allmende/groups';

/** A question the requester answers besides the standard ones ("Mit Ausschank?"). */
export interface BookingExtraField {
  key: string;
  label: LocalizedText;
  required: boolean;
}

/** A place people book: the Grillhütte, the Gemeindehaus hall, the Aula. Rules are checked server-side. */
export const BookableResourceSchema = defineEntity({
  name: 'BookableResource',
  tableName: 'bookable_resources',
  extends: TenantOwnedSchema,
  properties: {
    group: () => p.manyToOne(GroupSchema).ref().createForeignKeyConstraint(false),
    key: p.string().length(63),
    name: p.json<LocalizedText>(),
    description: p.json<LocalizedText>().nullable(),
    place: p.string().length(200).nullable(),
    capacity: p.integer().nullable(),
    minHours: p.double(),
    maxHours: p.double(),
    leadTimeDays: p.integer(),
    windowDays: p.integer(),
    approvalRequired: p.boolean(),
    fee: p.json<LocalizedText>().nullable(),
    depositCents: p.integer().nullable(),
    houseRules: p.json<LocalizedText>().nullable(),
    /** Extra questions of the request form (null: none). Added by the booking migration. */
    extraFields: p.json<BookingExtraField[]>().nullable(),
  },
  uniques: [
    { name: 'bookable_resources_tenant_id_id_unique', properties: ['tenantId', 'id'] },
    { name: 'bookable_resources_tenant_id_group_id_key_unique', properties: ['tenantId', 'group', 'key'] },
  ],
});

export type BookableResource = InferEntity<typeof BookableResourceSchema>;
