import { z } from 'zod';
import { memberReference } from '@allmende/members';
import { pageQuery } from '@allmende/content';
import { LISTING_KINDS, LISTING_STATUSES } from './listing.entity';

/** The settings the template gives a group's listings module. */
export const listingsSettings = z.object({
  kinds: z.array(z.enum(LISTING_KINDS)).min(1).catch(['lost', 'found', 'missing_pet']),
  expiryDays: z.number().int().min(1).max(3650).catch(30),
});
export type ListingsSettings = z.infer<typeof listingsSettings>;

export const createListingBody = z.strictObject({
  kind: z.enum(LISTING_KINDS),
  title: z.string().trim().min(1).max(200),
  /** Markdown. */
  description: z.string().trim().min(1).max(10_000),
  place: z.string().trim().min(1).max(200),
  /** The calendar day (`YYYY-MM-DD`). */
  date: z.iso.date(),
  /** An image uploaded through POST .../listings/photos (or the group's files). */
  photoFileId: z.uuid().nullable().optional(),
});
export type CreateListingBody = z.infer<typeof createListingBody>;

export const updateListingBody = createListingBody
  .partial()
  .refine((body) => Object.keys(body).length > 0, { message: 'name at least one field to change' });
export type UpdateListingBody = z.infer<typeof updateListingBody>;

export const listingListQuery = z.strictObject({
  ...pageQuery.shape,
  kind: z.enum(LISTING_KINDS).optional(),
  status: z.enum(LISTING_STATUSES).default('open'),
});
export type ListingListQuery = z.infer<typeof listingListQuery>;

export const tenantListingQuery = z.strictObject({
  ...pageQuery.shape,
  kind: z.enum(LISTING_KINDS).optional(),
});
export type TenantListingQuery = z.infer<typeof tenantListingQuery>;

export const messageBody = z.strictObject({ text: z.string().trim().min(1).max(2000) });
export type MessageBody = z.infer<typeof messageBody>;

const person = memberReference;

/** A listing as the API shows it: the author by name, never by e-mail address. */
export const listingView = z.object({
  id: z.uuid(),
  group: z.object({ id: z.uuid(), key: z.string() }),
  kind: z.enum(LISTING_KINDS),
  title: z.string(),
  description: z.string(),
  /** The description rendered from Markdown (sanitised). */
  descriptionHtml: z.string(),
  place: z.string(),
  date: z.string(),
  /** The photo's bytes: GET .../listings/{listing}/photo. */
  photo: z.object({ fileId: z.uuid(), mediaType: z.string() }).nullable(),
  status: z.enum(LISTING_STATUSES),
  author: person.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
  expiresAt: z.string(),
  renewedAt: z.string().nullable(),
});
export type ListingView = z.infer<typeof listingView>;

export const listingPage = z.object({ items: z.array(listingView), nextCursor: z.string().nullable() });

export const messageView = z.object({
  id: z.uuid(),
  listingId: z.uuid(),
  text: z.string(),
  textHtml: z.string(),
  sender: person.nullable(),
  createdAt: z.string(),
});
export type MessageView = z.infer<typeof messageView>;

export const messagePage = z.object({ items: z.array(messageView), nextCursor: z.string().nullable() });
