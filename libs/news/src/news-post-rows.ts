import type { AnyEntity, EntityData } from '@mikro-orm/core';
import type { NewsPost, NewsUrgency } from './news-post.entity';

/**
 * Where a list's statement runs: an EntityManager (in its transaction) or the tenant scope
 * (TenantScope.execute: a statement alone, one round trip; inside a transaction it joins it).
 */
export interface SqlExecutor {
  execute<T extends EntityData<AnyEntity>[]>(sql: string, params: unknown[]): Promise<T>;
}

/** What a post's view is made of: the post and its author's name. */
export interface NewsPostData {
  id: string;
  groupId: string;
  categoryKey: string;
  title: string;
  body: string;
  urgency: NewsUrgency;
  pinned: boolean;
  publishAt: Date;
  expiresAt: Date | null;
  resolvedAt: Date | null;
  followUp: string | null;
  createdAt: Date;
  updatedAt: Date;
  author: { id: string; givenName: string; familyName: string } | null;
}

/** The columns of a NewsPostRow: the post `p` and its author `a`. */
const POST_COLUMNS = `p.id, p.group_id, p.category_key, p.title, p.body, p.urgency, p.pinned, p.publish_at,
  p.expires_at, p.resolved_at, p.follow_up, p.created_at, p.updated_at,
  a.id as author_id, a.given_name as author_given_name, a.family_name as author_family_name`;

interface NewsPostRow {
  id: string;
  group_id: string;
  category_key: string;
  title: string;
  body: string;
  urgency: NewsUrgency;
  pinned: boolean;
  publish_at: Date | string;
  expires_at: Date | string | null;
  resolved_at: Date | string | null;
  follow_up: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  author_id: string | null;
  author_given_name: string | null;
  author_family_name: string | null;
}

/** A post of a tenant-wide feed, with its group's key and raw news settings. */
export interface NewsPostInGroup extends NewsPostData {
  groupKey: string;
  groupSettings: unknown;
}

/**
 * Posts for lists and feeds, in one statement straight into the data their views need. Lists
 * are the hot reads of the platform (every portal home, every feed poll); hydrating 21
 * entities with their group and author through the ORM cost more than all their SQL. `where`
 * and `order` name the post's columns as `p.<column>`; the author is `a`.
 */
export async function selectNewsPosts(
  db: SqlExecutor,
  query: { where: string; params: unknown[]; order: string; limit: number },
): Promise<NewsPostData[]> {
  const rows = await db.execute<NewsPostRow[]>(
    `select ${POST_COLUMNS}
       from news_posts p left join members a on a.id = p.author_id
      where ${query.where}
      order by ${query.order}
      limit ?`,
    [...query.params, query.limit],
  );
  return rows.map(postDataOfRow);
}

/**
 * As `selectNewsPosts`, for posts of the groups that `groups` selects (columns `id`, `key`,
 * `settings`, e.g. GroupAccess.readableGroupsQuery), joined as `g`: the groups come with
 * the posts, in the same statement.
 */
export async function selectNewsPostsInGroups(
  db: SqlExecutor,
  groups: { sql: string; params: unknown[] },
  query: { where: string; params: unknown[]; order: string; limit: number },
): Promise<NewsPostInGroup[]> {
  const rows = await db.execute<(NewsPostRow & { group_key: string; group_settings: unknown })[]>(
    `select ${POST_COLUMNS}, g.key as group_key, g.settings as group_settings
       from news_posts p
       join (${groups.sql}) g on g.id = p.group_id
       left join members a on a.id = p.author_id
      where ${query.where}
      order by ${query.order}
      limit ?`,
    [...groups.params, ...query.params, query.limit],
  );
  return rows.map((row) => ({
    ...postDataOfRow(row),
    groupKey: row.group_key,
    groupSettings: row.group_settings,
  }));
}

function postDataOfRow(row: NewsPostRow): NewsPostData {
  return {
    id: row.id,
    groupId: row.group_id,
    categoryKey: row.category_key,
    title: row.title,
    body: row.body,
    urgency: row.urgency,
    pinned: row.pinned,
    publishAt: new Date(row.publish_at),
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at),
    followUp: row.follow_up,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    author:
      row.author_id === null
        ? null
        : { id: row.author_id, givenName: row.author_given_name!, familyName: row.author_family_name! },
  };
}

/** The same data of a post entity (its author loaded). */
export function postDataOfEntity(post: NewsPost): NewsPostData {
  const author = post.author?.unwrap();
  return {
    id: post.id,
    groupId: post.group.id,
    categoryKey: post.categoryKey,
    title: post.title,
    body: post.body,
    urgency: post.urgency,
    pinned: post.pinned,
    publishAt: post.publishAt,
    expiresAt: post.expiresAt ?? null,
    resolvedAt: post.resolvedAt ?? null,
    followUp: post.followUp ?? null,
    createdAt: post.createdAt,
    updatedAt: post.updatedAt,
    author: author ? { id: author.id, givenName: author.givenName, familyName: author.familyName } : null,
  };
}
