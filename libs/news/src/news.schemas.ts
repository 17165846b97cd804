import { z } from 'zod';
import { pageQuery } from '@allmende/content';
import { NEWS_URGENCIES } from './news-post.entity';

/** An ISO 8601 instant with an offset (`2026-12-01T08:00:00+01:00` or `...Z`). */
const instant = z.iso.datetime({ offset: true });
const markdown = z.string().trim().min(1).max(20_000);

export const createPostBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: markdown,
  /** A key of the group's news categories. */
  category: z.string().trim().min(1).max(63),
  urgency: z.enum(NEWS_URGENCIES).default('normal'),
  /** Moderators only. */
  pinned: z.boolean().default(false),
  /** Defaults to now; in the future, the post is visible only to its author and moderators until then. */
  publishAt: instant.optional(),
  expiresAt: instant.nullable().optional(),
});
export type CreatePostBody = z.infer<typeof createPostBody>;

/** Every field optional; `expiresAt: null` removes the expiry. */
export const updatePostBody = z
  .strictObject({
    title: z.string().trim().min(1).max(200),
    body: markdown,
    category: z.string().trim().min(1).max(63),
    urgency: z.enum(NEWS_URGENCIES),
    pinned: z.boolean(),
    publishAt: instant,
    expiresAt: instant.nullable(),
  })
  .partial();
export type UpdatePostBody = z.infer<typeof updatePostBody>;

export const resolvePostBody = z.strictObject({
  /** What is the state now ("Entwarnung"): Markdown. */
  followUp: markdown,
});
export type ResolvePostBody = z.infer<typeof resolvePostBody>;

export const postListQuery = pageQuery.extend({ category: z.string().trim().min(1).max(63).optional() });
export type PostListQuery = z.infer<typeof postListQuery>;

export const postId = z.uuid();

const localizedText = z.object({ de: z.string(), en: z.string().optional() });

export const newsPostView = z.object({
  id: z.uuid(),
  group: z.string().describe('the group key'),
  category: z.object({ key: z.string(), name: localizedText }),
  title: z.string(),
  body: z.string().describe('Markdown as written'),
  bodyHtml: z.string().describe('rendered, sanitised HTML'),
  urgency: z.enum(NEWS_URGENCIES),
  pinned: z.boolean(),
  publishAt: z.string(),
  expiresAt: z.string().nullable(),
  /** Null when the author's member row no longer exists. */
  author: z.object({ memberId: z.uuid(), name: z.string() }).nullable(),
  resolved: z.object({ at: z.string(), followUp: z.string(), followUpHtml: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type NewsPostView = z.infer<typeof newsPostView>;

export const newsPostPage = z.object({ items: z.array(newsPostView), nextCursor: z.string().nullable() });
export const newsAlertList = z.object({ items: z.array(newsPostView) });
