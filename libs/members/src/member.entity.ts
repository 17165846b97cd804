import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';

export const TENANT_ROLES = ['tenant_admin', 'member'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

const NO_TENANT = `NULLIF(current_setting('app.tenant_id', true), '') IS NULL`;
const SIGNED_IN_USER = `NULLIF(current_setting('app.user_id', true), '')::uuid`;
const VERIFIED_EMAIL = `NULLIF(current_setting('app.verified_email', true), '')`;

/**
 * The two narrow ways to member rows outside a tenant scope (besides the tenant policy of
 * every tenant-owned table), only while no tenant is set, and bound to settings that only
 * libs/auth makes, transaction-locally, from a verified token:
 * - a signed-in person's own rows in every tenant, and the unlinked rows with their
 *   verified e-mail (select);
 * - linking those unlinked rows to them at first login, and nothing else (update).
 */
export const MEMBER_POLICIES = [
  {
    name: 'members_of_signed_in_user',
    command: 'select' as const,
    using: `${NO_TENANT} AND (user_id = ${SIGNED_IN_USER} OR (user_id IS NULL AND email = ${VERIFIED_EMAIL}))`,
  },
  {
    name: 'members_link_verified_email',
    command: 'update' as const,
    using: `${NO_TENANT} AND user_id IS NULL AND email = ${VERIFIED_EMAIL}`,
    check: `${NO_TENANT} AND user_id = ${SIGNED_IN_USER} AND email = ${VERIFIED_EMAIL}`,
  },
];

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
    /** When the identity provider last sent this member an invitation (account set-up e-mail). */
    invitedAt: p.datetime().nullable(),
  },
  uniques: [
    { name: 'members_tenant_id_id_unique', properties: ['tenantId', 'id'] },
    { name: 'members_tenant_id_email_unique', properties: ['tenantId', 'email'] },
  ],
  indexes: [{ name: 'members_tenant_id_user_id_index', properties: ['tenantId', 'userId'] }],
  policies: MEMBER_POLICIES,
});

export type Member = InferEntity<typeof MemberSchema>;
