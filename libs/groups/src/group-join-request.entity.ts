import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { GroupSchema } from './group.entity';

export const JOIN_REQUEST_STATUSES = ['pending', 'approved', 'declined'] as const;
export type JoinRequestStatus = (typeof JOIN_REQUEST_STATUSES)[number];

/**
 * A person's request to join a group whose join policy is `request` (or any open group, when
 * they are not yet a member of the tenant). Group admins decide; a person who is not yet a
 * member of the tenant can only be let in by a tenant admin. At most one pending request per
 * person and group.
 */
export const GroupJoinRequestSchema = defineEntity({
  name: 'GroupJoinRequest',
  tableName: 'group_join_requests',
  extends: TenantOwnedSchema,
  properties: {
    group: () => p.manyToOne(GroupSchema).ref().createForeignKeyConstraint(false),
    /** The person asking (global `users`). */
    userId: p.uuid(),
    /** Their member row, when they are a member of the tenant already. */
    memberId: p.uuid().nullable(),
    message: p.string().length(500).nullable(),
    status: p.enum(JOIN_REQUEST_STATUSES).default('pending'),
    decidedByMemberId: p.uuid().nullable(),
    decidedAt: p.datetime().nullable(),
  },
  indexes: [
    {
      name: 'group_join_requests_tenant_id_group_id_status_index',
      properties: ['tenantId', 'group', 'status'],
    },
  ],
});

export type GroupJoinRequest = InferEntity<typeof GroupJoinRequestSchema>;
