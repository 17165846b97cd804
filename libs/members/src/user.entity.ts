import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { BaseSchema } from '@allmende/db';

/** A person's identity (one per Keycloak subject), shared by all their tenants. A global table. */
export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  extends: BaseSchema,
  properties: {
    oidcSubject: p.string().length(255).unique(),
    email: p.string().trim().lowercase().length(320).nullable(),
    emailVerified: p.boolean().default(false),
    displayName: p.string().length(200).nullable(),
  },
  indexes: [{ name: 'users_email_index', properties: ['email'] }],
});

export type User = InferEntity<typeof UserSchema>;
