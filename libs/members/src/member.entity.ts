import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';

export const TENANT_ROLES = ['tenant_admin', 'member'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

/** A person in one tenant. Linked to a `users` row once they sign in with a verified e-mail. */
export const MemberSchema = defineEntity({
  name: 'Member',
  tableName: 'members',
  extends: TenantOwnedSchema,
  properties: {
    email: p.string().trim().lowercase().length(320),
    givenName: p.string().length(100),
    familyName: p.string().length(100),
    role: p.enum(TENANT_ROLES).default('member'),
    phone: p.string().length(50).nullable(),
    userId: p.uuid().nullable(),
  },
  uniques: [
    { name: 'members_tenant_id_id_unique', properties: ['tenantId', 'id'] },
    { name: 'members_tenant_id_email_unique', properties: ['tenantId', 'email'] },
  ],
  indexes: [{ name: 'members_tenant_id_user_id_index', properties: ['tenantId', 'userId'] }],
});

export type Member = InferEntity<typeof MemberSchema>;
