import type { Locale } from '@allmende/i18n';
import type { NewsPostView } from '@allmende/news';

/** A news post as the portal's templates show it (list entry, banner, post page). */
export interface NewsItem {
  id: string;
  href: string;
  title: string;
  category: string;
  urgency: NewsPostView['urgency'];
  urgent: boolean;
  important: boolean;
  /** An urgent post not yet resolved: shown as an alert. */
  activeAlert: boolean;
  pinned: boolean;
  publishAt: string;
  author: string | null;
  /** Sanitised HTML from the service (renderMarkdown): safe to output unescaped. */
  bodyHtml: string;
  resolved: { at: string; followUpHtml: string } | null;
}

/** `communityHref` is `/t/<slug>`; the post's page is `/t/<slug>/g/<group>/news/<id>` (as in mails). */
export function newsItem(post: NewsPostView, communityHref: string, locale: Locale): NewsItem {
  return {
    id: post.id,
    href: `${communityHref}/g/${encodeURIComponent(post.group)}/news/${post.id}`,
    title: post.title,
    category: (locale === 'en' && post.category.name.en) || post.category.name.de,
    urgency: post.urgency,
    urgent: post.urgency === 'urgent',
    important: post.urgency === 'important',
    activeAlert: post.urgency === 'urgent' && !post.resolved,
    pinned: post.pinned,
    publishAt: post.publishAt,
    author: post.author?.name ?? null,
    bodyHtml: post.bodyHtml,
    resolved: post.resolved ? { at: post.resolved.at, followUpHtml: post.resolved.followUpHtml } : null,
  };
}
