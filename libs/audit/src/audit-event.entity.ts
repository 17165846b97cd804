import type { EntityManager } from '@mikro-orm/core';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { Actor } from '@allmende/auth';
import { TenantOwnedSchema } from '@allmende/db';

/** Who did what to which entity, when: moderation and admin actions of a tenant. */
export const AuditEventSchema = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_events',
  extends: TenantOwnedSchema,
  properties: {
    actorUserId: p.uuid().nullable(),
    actorMemberId: p.uuid().nullable(),
    /** e.g. `news.post.deleted`, `discussions.thread.locked`, `groups.join.approved`. */
    action: p.string().length(100),
    entityType: p.string().length(50),
    entityId: p.uuid(),
    details: p.json<Record<string, unknown>>().nullable(),
  },
  indexes: [{ name: 'audit_events_tenant_id_created_at_index', properties: ['tenantId', 'createdAt'] }],
});

export type AuditEvent = InferEntity<typeof AuditEventSchema>;

/** Adds an audit row to the unit of work of `em` (written with the action it records). */
export function recordAudit(
  em: EntityManager,
  actor: Actor,
  entry: { action: string; entityType: string; entityId: string; details?: Record<string, unknown> },
): AuditEvent {
  return em.create(AuditEventSchema, {
    actorUserId: actor.person?.userId ?? null,
    actorMemberId: actor.membership?.memberId ?? null,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    details: entry.details ?? null,
  });
}
