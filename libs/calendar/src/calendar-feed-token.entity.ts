import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';

/** What a calendar feed shows: a member's own calendar, a group's events, a resource's busy times. */
export const CALENDAR_FEED_KINDS = ['member', 'group', 'resource'] as const;
export type CalendarFeedKind = (typeof CALENDAR_FEED_KINDS)[number];

/**
 * The secret of a calendar feed URL (calendar apps do not sign in, so the URL is the key).
 * Only a hash of the secret is stored; rotating replaces it, and the old URL stops working.
 */
export const CalendarFeedTokenSchema = defineEntity({
  name: 'CalendarFeedToken',
  tableName: 'calendar_feed_tokens',
  extends: TenantOwnedSchema,
  properties: {
    kind: p.enum(CALENDAR_FEED_KINDS),
    /** The member, group or bookable resource the feed is of. */
    subjectId: p.uuid(),
    /** sha256 of the secret, hex. */
    tokenHash: p.string().length(64),
  },
  uniques: [
    {
      name: 'calendar_feed_tokens_tenant_id_kind_subject_id_unique',
      properties: ['tenantId', 'kind', 'subjectId'],
    },
    { name: 'calendar_feed_tokens_tenant_id_token_hash_unique', properties: ['tenantId', 'tokenHash'] },
  ],
});

export type CalendarFeedToken = InferEntity<typeof CalendarFeedTokenSchema>;
