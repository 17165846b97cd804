import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';

/**
 * A discussion thread in a group. `commentCount` (comments not deleted, hidden ones included)
 * and `lastActivityAt` are only ever changed by single SQL updates (`comment_count + 1`), so
 * concurrent comments cannot lose a count. Deleting is soft: the row stays (its text erased)
 * so the comments of others keep their context; a deleted thread without comments is gone
 * from every list.
 */
export const DiscussionThreadSchema = defineEntity({
  name: 'DiscussionThread',
  tableName: 'discussion_threads',
  extends: TenantOwnedSchema,
  properties: {
    group: () => p.manyToOne(GroupSchema).ref().createForeignKeyConstraint(false),
    author: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    title: p.string().length(200),
    /** Markdown as written. */
    body: p.text(),
    editedAt: p.datetime().nullable(),
    lockedAt: p.datetime().nullable(),
    lockedByMemberId: p.uuid().nullable(),
    hiddenAt: p.datetime().nullable(),
    hiddenByMemberId: p.uuid().nullable(),
    deletedAt: p.datetime().nullable(),
    deletedByMemberId: p.uuid().nullable(),
    lastActivityAt: p.datetime(),
    commentCount: p.integer().default(0),
  },
  uniques: [{ name: 'discussion_threads_tenant_id_id_unique', properties: ['tenantId', 'id'] }],
  indexes: [
    {
      name: 'discussion_threads_tenant_id_group_id_last_activity_at_index',
      properties: ['tenantId', 'group', 'lastActivityAt'],
    },
    {
      name: 'discussion_threads_tenant_id_last_activity_at_index',
      properties: ['tenantId', 'lastActivityAt'],
    },
  ],
});

export type DiscussionThread = InferEntity<typeof DiscussionThreadSchema>;
