import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { MemberSchema } from '@allmende/members';
import { DiscussionCommentSchema } from './discussion-comment.entity';
import { DiscussionThreadSchema } from './discussion-thread.entity';

/**
 * A member's "thanks" for a thread or for a comment: exactly one of `thread` and `comment` is
 * set (the service writes nothing else). The two uniques make it one per member and target
 * (NULLs are distinct, so a thanks for a comment never collides with one for a thread).
 * Counts are counted, never stored, so they cannot drift under concurrent thanks.
 */
export const DiscussionThanksSchema = defineEntity({
  name: 'DiscussionThanks',
  tableName: 'discussion_thanks',
  extends: TenantOwnedSchema,
  properties: {
    member: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    thread: () => p.manyToOne(DiscussionThreadSchema).ref().nullable().createForeignKeyConstraint(false),
    comment: () => p.manyToOne(DiscussionCommentSchema).ref().nullable().createForeignKeyConstraint(false),
  },
  uniques: [
    {
      name: 'discussion_thanks_tenant_id_thread_id_member_id_unique',
      properties: ['tenantId', 'thread', 'member'],
    },
    {
      name: 'discussion_thanks_tenant_id_comment_id_member_id_unique',
      properties: ['tenantId', 'comment', 'member'],
    },
  ],
  indexes: [{ name: 'discussion_thanks_tenant_id_member_id_index', properties: ['tenantId', 'member'] }],
});

export type DiscussionThanks = InferEntity<typeof DiscussionThanksSchema>;
