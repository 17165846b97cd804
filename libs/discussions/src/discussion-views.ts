import { z } from 'zod';
import { memberReference } from '@allmende/members';
import { pageQuery } from '@allmende/content';

/** Request bodies and queries: strict, so unknown fields are a 400. */
export const createThreadBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(20_000),
});
export type CreateThreadInput = z.infer<typeof createThreadBody>;

export const editThreadBody = z
  .strictObject({
    title: z.string().trim().min(1).max(200).optional(),
    body: z.string().trim().min(1).max(20_000).optional(),
  })
  .refine((input) => input.title !== undefined || input.body !== undefined, {
    message: 'change the title or the body',
  });
export type EditThreadInput = z.infer<typeof editThreadBody>;

export const commentBody = z.strictObject({ body: z.string().trim().min(1).max(10_000) });
export type CommentInput = z.infer<typeof commentBody>;

/** A thread with a page of its comments: `limit` and `cursor` page the comments. */
export const threadQuery = pageQuery;
export const idParam = z.uuid();

/** Responses. Hidden or deleted content comes without its text (and without its author). */
export const authorView = memberReference;

export const thanksView = z.object({
  thanksCount: z.number().int(),
  /** Whether the caller has thanked. */
  thankedByMe: z.boolean(),
});
export type ThanksView = z.infer<typeof thanksView>;

export const threadView = z.object({
  id: z.uuid(),
  group: z.object({ id: z.uuid(), key: z.string() }),
  title: z.string().nullable(),
  body: z.string().nullable(),
  bodyHtml: z.string().nullable(),
  author: authorView.nullable(),
  /** The caller wrote it (may edit and delete it). */
  mine: z.boolean(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  lastActivityAt: z.string(),
  commentCount: z.number().int(),
  thanksCount: z.number().int(),
  thankedByMe: z.boolean(),
  locked: z.boolean(),
  /** Hidden by a moderator: only moderators see it (with its text). */
  hidden: z.boolean(),
  /** Deleted, kept only because others commented on it: no title, no text. */
  deleted: z.boolean(),
});
export type ThreadView = z.infer<typeof threadView>;

export const commentView = z.object({
  id: z.uuid(),
  threadId: z.uuid(),
  body: z.string().nullable(),
  bodyHtml: z.string().nullable(),
  author: authorView.nullable(),
  mine: z.boolean(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  thanksCount: z.number().int(),
  thankedByMe: z.boolean(),
  /** Hidden by a moderator: moderators see the text, everyone else a placeholder without it. */
  hidden: z.boolean(),
});
export type CommentView = z.infer<typeof commentView>;

export const threadPage = z.object({ items: z.array(threadView), nextCursor: z.string().nullable() });
export const commentPage = z.object({ items: z.array(commentView), nextCursor: z.string().nullable() });
export const threadDetailView = threadView.extend({ comments: commentPage });
export type ThreadDetailView = z.infer<typeof threadDetailView>;
