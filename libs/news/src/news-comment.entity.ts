import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { MemberSchema } from '@allmende/members';
import { NewsPostSchema } from './news-post.entity';

/**
 * A comment on a news post by a member of the community. Moderators hide comments (kept, no
 * longer shown to others); authors and moderators delete them.
 */
export const NewsCommentSchema = defineEntity({
  name: 'NewsComment',
  tableName: 'news_comments',
  extends: TenantOwnedSchema,
  properties: {
    post: () => p.manyToOne(NewsPostSchema).ref().createForeignKeyConstraint(false),
    author: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    /** Markdown as written. */
    body: p.text(),
    hiddenAt: p.datetime().nullable(),
    hiddenByMemberId: p.uuid().nullable(),
  },
  uniques: [{ name: 'news_comments_tenant_id_id_unique', properties: ['tenantId', 'id'] }],
  indexes: [
    {
      name: 'news_comments_tenant_id_post_id_created_at_index',
      properties: ['tenantId', 'post', 'createdAt'],
    },
  ],
});

export type NewsComment = InferEntity<typeof NewsCommentSchema>;
