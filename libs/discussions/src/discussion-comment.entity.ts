import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { MemberSchema } from '@allmende/members';
import { DiscussionThreadSchema } from './discussion-thread.entity';

/** A comment on a thread. Deleting is soft (text erased, row kept, no longer listed). */
export const DiscussionCommentSchema = defineEntity({
  name: 'DiscussionComment',
  tableName: 'discussion_comments',
  extends: TenantOwnedSchema,
  properties: {
    thread: () => p.manyToOne(DiscussionThreadSchema).ref().createForeignKeyConstraint(false),
    author: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    /** Markdown as written. */
    body: p.text(),
    editedAt: p.datetime().nullable(),
    hiddenAt: p.datetime().nullable(),
    hiddenByMemberId: p.uuid().nullable(),
    deletedAt: p.datetime().nullable(),
    deletedByMemberId: p.uuid().nullable(),
  },
  uniques: [{ name: 'discussion_comments_tenant_id_id_unique', properties: ['tenantId', 'id'] }],
  indexes: [
    {
      name: 'discussion_comments_tenant_id_thread_id_created_at_index',
      properties: ['tenantId', 'thread', 'createdAt'],
    },
  ],
});

export type DiscussionComment = InferEntity<typeof DiscussionCommentSchema>;
