import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { GroupSchema } from './group.entity';

export const GROUP_MODULE_NAMES = [
  'news',
  'listings',
  'volunteering',
  'booking',
  'events',
  'polls',
  'discussions',
  'files',
] as const;
export type GroupModuleName = (typeof GROUP_MODULE_NAMES)[number];

/**
 * A module switched on in a group, with its settings from the template (news categories,
 * listing kinds and expiry, ...). A module works only in groups that have this row.
 */
export const GroupModuleSchema = defineEntity({
  name: 'GroupModule',
  tableName: 'group_modules',
  extends: TenantOwnedSchema,
  properties: {
    group: () => p.manyToOne(GroupSchema).ref().createForeignKeyConstraint(false),
    module: p.enum(GROUP_MODULE_NAMES),
    settings: p.json<Record<string, unknown>>(),
  },
  uniques: [
    { name: 'group_modules_tenant_id_group_id_module_unique', properties: ['tenantId', 'group', 'module'] },
  ],
});

export type GroupModule = InferEntity<typeof GroupModuleSchema>;
