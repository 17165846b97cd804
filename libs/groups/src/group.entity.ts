import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';

export const GROUP_VISIBILITIES = ['public', 'members', 'private'] as const;
export type GroupVisibility = (typeof GROUP_VISIBILITIES)[number];
export const JOIN_POLICIES = ['open', 'request', 'invite'] as const;
export type JoinPolicy = (typeof JOIN_POLICIES)[number];

/** Text in the tenant's languages; German is always present. */
export interface LocalizedText {
  de: string;
  en?: string;
}

/** A group of a tenant ("Neuigkeiten", "Grillhütte", "Mach mit!" ...). */
export const GroupSchema = defineEntity({
  name: 'Group',
  tableName: 'groups',
  extends: TenantOwnedSchema,
  properties: {
    key: p.string().length(63),
    name: p.json<LocalizedText>(),
    description: p.json<LocalizedText>().nullable(),
    visibility: p.enum(GROUP_VISIBILITIES).default('members'),
    joinPolicy: p.enum(JOIN_POLICIES).default('request'),
    /** Where the group appears in the tenant's lists (the template's order). */
    position: p.integer().default(0),
  },
  uniques: [
    { name: 'groups_tenant_id_id_unique', properties: ['tenantId', 'id'] },
    { name: 'groups_tenant_id_key_unique', properties: ['tenantId', 'key'] },
  ],
});

export type Group = InferEntity<typeof GroupSchema>;
