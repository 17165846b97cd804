import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';

export const NEWS_URGENCIES = ['normal', 'important', 'urgent'] as const;
export type NewsUrgency = (typeof NEWS_URGENCIES)[number];

/**
 * A post in a group's news. Visible from `publishAt` (before that only to its author and the
 * group's moderators) until `expiresAt`. An urgent post is an alert (portal banner, immediate
 * notification) until a moderator resolves it with a follow-up ("Entwarnung").
 */
export const NewsPostSchema = defineEntity({
  name: 'NewsPost',
  tableName: 'news_posts',
  extends: TenantOwnedSchema,
  properties: {
    group: () => p.manyToOne(GroupSchema).ref().createForeignKeyConstraint(false),
    /** Null once the author's member row is deleted: the post stays, the author is gone. */
    author: () => p.manyToOne(MemberSchema).ref().nullable().createForeignKeyConstraint(false),
    /** A key of the group's news categories (template settings) at the time of writing. */
    categoryKey: p.string().length(63),
    title: p.string().length(200),
    /** Markdown as written. */
    body: p.text(),
    urgency: p.enum(NEWS_URGENCIES).default('normal'),
    pinned: p.boolean().default(false),
    publishAt: p
      .datetime()
      .onCreate(() => new Date())
      .defaultRaw('now()'),
    expiresAt: p.datetime().nullable(),
    /** Urgent posts only: when and by whom the alert was called off, and the follow-up (Markdown). */
    resolvedAt: p.datetime().nullable(),
    resolvedByMemberId: p.uuid().nullable(),
    followUp: p.text().nullable(),
  },
  // (tenant_id, id) for the composite foreign key of comments.
  uniques: [{ name: 'news_posts_tenant_id_id_unique', properties: ['tenantId', 'id'] }],
  indexes: [
    {
      name: 'news_posts_tenant_id_group_id_publish_at_index',
      properties: ['tenantId', 'group', 'publishAt'],
    },
    { name: 'news_posts_tenant_id_publish_at_index', properties: ['tenantId', 'publishAt'] },
  ],
});

export type NewsPost = InferEntity<typeof NewsPostSchema>;
