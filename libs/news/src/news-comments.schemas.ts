import { z } from 'zod';
import { pageQuery } from '@allmende/content';

export const createCommentBody = z.strictObject({
  /** Markdown. */
  body: z.string().trim().min(1).max(5_000),
});
export type CreateCommentBody = z.infer<typeof createCommentBody>;

/** Oldest first, as a conversation is read. */
export const commentListQuery = pageQuery;
export type CommentListQuery = z.infer<typeof commentListQuery>;

export const commentId = z.uuid();

export const newsCommentView = z.object({
  id: z.uuid(),
  postId: z.uuid(),
  body: z.string().describe('Markdown as written'),
  bodyHtml: z.string().describe('rendered, sanitised HTML'),
  author: z.object({ memberId: z.uuid(), name: z.string() }),
  /** Hidden by a moderator: only moderators and the author still see it. */
  hidden: z.boolean(),
  createdAt: z.string(),
});
export type NewsCommentView = z.infer<typeof newsCommentView>;

export const newsCommentPage = z.object({
  items: z.array(newsCommentView),
  nextCursor: z.string().nullable(),
});
