import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { StoredFileSchema } from '@allmende/files';
import { GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';

export const LISTING_KINDS = ['lost', 'found', 'missing_pet', 'offer', 'request'] as const;
export type ListingKind = (typeof LISTING_KINDS)[number];
export const LISTING_STATUSES = ['open', 'resolved', 'archived'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

/**
 * A "Gesucht – Gefunden" listing: something lost, found, a missing pet (or an offer or a
 * request, where the template lists them). Open until its author (or a moderator) marks it
 * resolved; archived by the expiry job after the group's `expiryDays` unless renewed.
 */
export const ListingSchema = defineEntity({
  name: 'Listing',
  tableName: 'listings',
  extends: TenantOwnedSchema,
  properties: {
    group: () => p.manyToOne(GroupSchema).ref().createForeignKeyConstraint(false),
    author: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    kind: p.enum(LISTING_KINDS),
    title: p.string().length(200),
    /** Markdown, stored as written; rendered (sanitised) when shown. */
    description: p.text(),
    place: p.string().length(200),
    /** The calendar day it was lost, found, seen ... (`YYYY-MM-DD`). */
    date: p.date(),
    /** An image of the same group, from the file store; dropped when the file is deleted. */
    photo: () => p.manyToOne(StoredFileSchema).ref().nullable().createForeignKeyConstraint(false),
    status: p.enum(LISTING_STATUSES).default('open'),
    resolvedAt: p.datetime().nullable(),
    /** Creation (or renewal) + the group's expiryDays; the job archives open listings past it. */
    expiresAt: p.datetime(),
    renewedAt: p.datetime().nullable(),
  },
  uniques: [{ name: 'listings_tenant_id_id_unique', properties: ['tenantId', 'id'] }],
  indexes: [
    {
      name: 'listings_tenant_id_group_id_status_created_at_index',
      properties: ['tenantId', 'group', 'status', 'createdAt'],
    },
    { name: 'listings_tenant_id_status_expires_at_index', properties: ['tenantId', 'status', 'expiresAt'] },
  ],
});

export type Listing = InferEntity<typeof ListingSchema>;
