import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { MemberSchema } from '@allmende/members';

export const DIGEST_FREQUENCIES = ['off', 'daily', 'weekly'] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];
export const NOTIFICATION_LANGUAGES = ['de', 'en'] as const;

/**
 * How a member wants to hear from their community. A member without a row gets the
 * tenant's defaults (from its template) — the row is written when they choose.
 */
export const NotificationPreferencesSchema = defineEntity({
  name: 'NotificationPreferences',
  tableName: 'notification_preferences',
  extends: TenantOwnedSchema,
  properties: {
    member: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    digestFrequency: p.enum(DIGEST_FREQUENCIES),
    /** Hour of the day (0–23) in the member's time zone (their own, else the community's). */
    digestHour: p.integer(),
    /** ISO weekday of a weekly digest: 1 = Monday … 7 = Sunday. */
    digestWeekday: p.integer(),
    /** Groups whose news the member does not want in digests (ids of the tenant's groups). */
    mutedGroupIds: p.json<string[]>(),
    /** Urgent alerts by e-mail at once (default on). */
    urgentAlerts: p.boolean(),
    language: p.enum(NOTIFICATION_LANGUAGES),
    /** The member's own IANA time zone for digest times; null: the community's. */
    timeZone: p.string().length(64).nullable(),
  },
  uniques: [
    { name: 'notification_preferences_tenant_id_member_id_unique', properties: ['tenantId', 'member'] },
  ],
});

export type NotificationPreferences = InferEntity<typeof NotificationPreferencesSchema>;
