import type { EntityManager } from '@mikro-orm/core';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';

/**
 * A state change another person should hear about (a new urgent post, a message to a
 * listing's author ...), written in the same transaction as the change. The worker relays
 * rows to the queues and marks them (`relayed_at`); consumers are idempotent by the row's id.
 */
export const OutboxEventSchema = defineEntity({
  name: 'OutboxEvent',
  tableName: 'outbox_events',
  extends: TenantOwnedSchema,
  properties: {
    /** What happened, e.g. `news.post.published`, `listings.message.sent`. */
    topic: p.string().length(100),
    /** Ids and what a notification needs; no secrets. */
    payload: p.json<Record<string, unknown>>(),
    relayedAt: p.datetime().nullable(),
  },
  indexes: [
    { name: 'outbox_events_unrelayed_index', properties: ['tenantId', 'createdAt'] },
    {
      name: 'outbox_events_pending_index',
      // What the relay reads: only rows not relayed yet, so it stays small however long the table grows.
      expression:
        'create index "outbox_events_pending_index" on "outbox_events" ("tenant_id", "created_at") where "relayed_at" is null',
    },
  ],
});

export type OutboxEvent = InferEntity<typeof OutboxEventSchema>;

/**
 * Adds an outbox row to the unit of work of `em`: it is written by the same flush (and so
 * the same transaction) as the change it reports, or not at all.
 */
export function recordOutboxEvent(
  em: EntityManager,
  topic: string,
  payload: Record<string, unknown>,
): OutboxEvent {
  return em.create(OutboxEventSchema, { topic, payload });
}
