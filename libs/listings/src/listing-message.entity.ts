import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { MemberSchema } from '@allmende/members';
import { ListingSchema } from './listing.entity';

/**
 * A message to a listing's author ("I found your cat"): contact through the platform, so
 * nobody has to publish an e-mail address. The author and the group's moderators read them.
 */
export const ListingMessageSchema = defineEntity({
  name: 'ListingMessage',
  tableName: 'listing_messages',
  extends: TenantOwnedSchema,
  properties: {
    listing: () => p.manyToOne(ListingSchema).ref().createForeignKeyConstraint(false),
    sender: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    text: p.text(),
  },
  indexes: [
    {
      name: 'listing_messages_tenant_id_listing_id_created_at_index',
      properties: ['tenantId', 'listing', 'createdAt'],
    },
  ],
});

export type ListingMessage = InferEntity<typeof ListingMessageSchema>;
