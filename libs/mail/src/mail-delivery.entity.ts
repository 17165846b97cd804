import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { MemberSchema } from '@allmende/members';

export const MAIL_KINDS = ['digest', 'alert', 'notice'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** `sent`: handed to SMTP; `empty`: a digest with nothing new (no mail); `failed`: refused for good. */
export const DELIVERY_STATUSES = ['sent', 'empty', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * The delivery ledger: one row per member and occasion (`period_key`: a digest's period, an
 * alert's post, a notice's event). The row is inserted in the transaction that hands the mail
 * to SMTP and commits only after SMTP accepted it; `UNIQUE(tenant_id, member_id, period_key)`
 * makes a second delivery of the same occasion impossible (see MailDeliveries).
 */
export const MailDeliverySchema = defineEntity({
  name: 'MailDelivery',
  tableName: 'mail_deliveries',
  extends: TenantOwnedSchema,
  properties: {
    member: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    kind: p.enum(MAIL_KINDS),
    /** e.g. `digest.daily.2026-11-25`, `digest.weekly.2026-W48`, `alert.<postId>`, `notice.<outboxEventId>`. */
    periodKey: p.string().length(200),
    status: p.enum(DELIVERY_STATUSES),
    messageId: p.string().length(300).nullable(),
    /** Digests: the end of the window this digest covered; the next one starts there. */
    coversUntil: p.datetime().nullable(),
    /** Why SMTP refused it (failed only). */
    error: p.text().nullable(),
  },
  uniques: [
    {
      name: 'mail_deliveries_tenant_id_member_id_period_key_unique',
      properties: ['tenantId', 'member', 'periodKey'],
    },
  ],
  indexes: [
    {
      name: 'mail_deliveries_tenant_id_member_id_kind_created_at_index',
      properties: ['tenantId', 'member', 'kind', 'createdAt'],
    },
  ],
});

export type MailDelivery = InferEntity<typeof MailDeliverySchema>;
