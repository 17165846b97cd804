import { Injectable } from '@nestjs/common';
import type { Actor } from '@allmende/auth';
import { decodeCursor, recordAudit, renderMarkdown, toPage, type Page } from '@allmende/content';
import { ProblemException } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { MemberSchema } from '@allmende/members';
import { NewsCommentSchema, type NewsComment } from './news-comment.entity';
import type { CommentListQuery, CreateCommentBody, NewsCommentView } from './news-comments.schemas';
import type { NewsSettings } from './news-settings';
import { NewsService, type PostInGroup } from './news.service';

/**
 * Comments on news posts. Whoever may read a post reads its comments; members of the
 * community comment where the group's template allows it (a municipality's residents ask
 * about the road works without joining the town hall's group); moderators hide comments and,
 * like authors, delete them. Hiding and deleting someone else's comment is audited.
 */
@Injectable()
export class NewsCommentsService {
  constructor(
    private readonly scope: TenantScope,
    private readonly news: NewsService,
  ) {}

  /** Oldest first; hidden comments only for moderators and their authors. */
  async list(
    actor: Actor,
    groupKey: string,
    postId: string,
    query: CommentListQuery,
  ): Promise<Page<NewsCommentView>> {
    return this.listOf(actor, await this.news.postInGroup(actor, groupKey, postId), query);
  }

  /** As `list`, for a post the caller has already been given (NewsService.postInGroup): the post page. */
  async listOf(
    actor: Actor,
    { access, post }: Pick<PostInGroup, 'access' | 'post'>,
    query: CommentListQuery,
  ): Promise<Page<NewsCommentView>> {
    const params: unknown[] = [post.id, access.canModerate, memberIdOf(actor)];
    let sql = `select id from news_comments
      where post_id = ? and (hidden_at is null or ?::boolean or author_id = ?::uuid)`;
    if (query.cursor) {
      const [createdAt, id] = decodeCursor(query.cursor, 2);
      sql += ' and (created_at, id) > (?::timestamptz, ?::uuid)';
      params.push(createdAt, id);
    }
    sql += ' order by created_at, id limit ?';
    params.push(query.limit + 1);
    const em = this.scope.em();
    const ids = (await em.execute<{ id: string }[]>(sql, params)).map((row) => row.id);
    const comments =
      ids.length === 0
        ? []
        : await em.find(NewsCommentSchema, { id: { $in: ids } }, { populate: ['author'] });
    const byId = new Map<string, NewsComment>(comments.map((comment) => [comment.id, comment]));
    return toPage(
      ids.flatMap((id) => byId.get(id) ?? []),
      query.limit,
      commentView,
      (comment) => [comment.createdAt.toISOString(), comment.id],
    );
  }

  async add(
    actor: Actor,
    groupKey: string,
    postId: string,
    input: CreateCommentBody,
  ): Promise<NewsCommentView> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    const { post, settings } = await this.news.postInGroup(actor, groupKey, postId);
    if (!settings.comments) throw ProblemException.forbidden("This group's posts take no comments.");
    const memberId = memberIdOf(actor);
    if (!memberId || !mayComment(actor, settings))
      throw ProblemException.forbidden('Only members of the community may comment.');
    const em = this.scope.em();
    const author = await em.findOneOrFail(MemberSchema, { id: memberId });
    const comment = em.create(NewsCommentSchema, { post, author, body: input.body });
    await em.flush();
    return commentView(comment);
  }

  /** Moderators hide a comment (kept, shown only to them and its author) or show it again. */
  async setHidden(
    actor: Actor,
    groupKey: string,
    postId: string,
    commentId: string,
    hidden: boolean,
  ): Promise<NewsCommentView> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    const { access, post } = await this.news.postInGroup(actor, groupKey, postId);
    if (!access.canModerate) throw ProblemException.forbidden('Only the group admins may do this.');
    const em = this.scope.em();
    const comment = await this.commentOf(post.id, commentId);
    if (hidden !== (comment.hiddenAt != null)) {
      comment.hiddenAt = hidden ? new Date() : null;
      comment.hiddenByMemberId = hidden ? memberIdOf(actor) : null;
      recordAudit(em, actor, {
        action: hidden ? 'news.comment.hidden' : 'news.comment.unhidden',
        entityType: 'news_comment',
        entityId: comment.id,
        details: { group: access.group.key, postId: post.id, authorMemberId: comment.author.id },
      });
      await em.flush();
    }
    return commentView(comment);
  }

  /** Authors delete their own comments; moderators every comment (audited when it is someone else's). */
  async remove(actor: Actor, groupKey: string, postId: string, commentId: string): Promise<void> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    const { access, post } = await this.news.postInGroup(actor, groupKey, postId);
    const comment = await this.commentOf(post.id, commentId);
    const own = comment.author.id === memberIdOf(actor);
    // A hidden comment of someone else is invisible to a non-moderator: as if it did not exist.
    if (!own && !access.canModerate) {
      if (comment.hiddenAt) throw ProblemException.notFound('No such comment on this post.');
      throw ProblemException.forbidden('Only the author and the group admins may delete this comment.');
    }
    const em = this.scope.em();
    if (!own) {
      recordAudit(em, actor, {
        action: 'news.comment.deleted',
        entityType: 'news_comment',
        entityId: comment.id,
        details: { group: access.group.key, postId: post.id, authorMemberId: comment.author.id },
      });
    }
    em.remove(comment);
    await em.flush();
  }

  private async commentOf(postId: string, commentId: string): Promise<NewsComment> {
    const comment = await this.scope
      .em()
      .findOne(NewsCommentSchema, { id: commentId, post: postId }, { populate: ['author'] });
    if (!comment) throw ProblemException.notFound('No such comment on this post.');
    return comment;
  }
}

/** Whether the caller may comment on posts of a group with these settings (they can read the post). */
export function mayComment(actor: Actor, settings: NewsSettings): boolean {
  return settings.comments && memberIdOf(actor) !== null;
}

function memberIdOf(actor: Actor): string | null {
  return actor.membership?.memberId ?? null;
}

/** Of the author only the member id and name, as for posts: never their e-mail. Needs the author loaded. */
function commentView(comment: NewsComment): NewsCommentView {
  const author = comment.author.unwrap();
  return {
    id: comment.id,
    postId: comment.post.id,
    body: comment.body,
    bodyHtml: renderMarkdown(comment.body),
    author: { memberId: author.id, name: `${author.givenName} ${author.familyName}`.trim() },
    hidden: comment.hiddenAt != null,
    createdAt: comment.createdAt.toISOString(),
  };
}
