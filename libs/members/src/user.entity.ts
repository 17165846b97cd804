import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '@allmende/core';

/** A person's identity (one per Keycloak subject), shared by all their tenants. A global table. */
export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    oidcSubject: p.string().length(255).unique(),
    email: p.string().trim().lowercase().length(320).nullable(),
    emailVerified: p.boolean().default(false),
    displayName: p.string().length(200).nullable(),
    createdAt: p
      .datetime()
      .onCreate(() => new Date())
      .defaultRaw('now()'),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date())
      .defaultRaw('now()'),
  },
});

export type User = InferEntity<typeof UserSchema>;
