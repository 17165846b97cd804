import { renderMarkdown } from '@allmende/content';
import type { NewsPost } from './news-post.entity';
import { postDataOfEntity, type NewsPostData } from './news-post-rows';
import type { NewsPostView } from './news.schemas';
import { categoryName, type NewsSettings } from './news-settings';

/**
 * The API's view of a post. Of the author only the member id and name: never their e-mail.
 * Needs the post's author loaded.
 */
export function newsPostView(post: NewsPost, groupKey: string, settings: NewsSettings): NewsPostView {
  return newsPostDataView(postDataOfEntity(post), groupKey, settings);
}

/** The same view of a post read as a row (lists and feeds). */
export function newsPostDataView(post: NewsPostData, groupKey: string, settings: NewsSettings): NewsPostView {
  const author = post.author;
  return {
    id: post.id,
    group: groupKey,
    category: { key: post.categoryKey, name: categoryName(settings, post.categoryKey) },
    title: post.title,
    body: post.body,
    bodyHtml: renderMarkdown(post.body),
    urgency: post.urgency,
    pinned: post.pinned,
    publishAt: post.publishAt.toISOString(),
    expiresAt: post.expiresAt?.toISOString() ?? null,
    author: author ? { memberId: author.id, name: `${author.givenName} ${author.familyName}`.trim() } : null,
    resolved:
      post.resolvedAt && post.followUp
        ? {
            at: post.resolvedAt.toISOString(),
            followUp: post.followUp,
            followUpHtml: renderMarkdown(post.followUp),
          }
        : null,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
  };
}
