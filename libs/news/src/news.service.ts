import { Injectable } from '@nestjs/common';
import { LockMode, type EntityManager } from '@mikro-orm/core';
import type { Actor } from '@allmende/auth';
import {
  GroupAccess,
  decodeCursor,
  recordAudit,
  recordOutboxEvent,
  toPage,
  type GroupAccessContext,
  type Page,
  type PageQuery,
} from '@allmende/content';
import { ProblemException, ProblemType } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import type { Group } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { NewsPostSchema, type NewsPost } from './news-post.entity';
import {
  selectNewsPosts,
  selectNewsPostsInGroups,
  type NewsPostData,
  type NewsPostInGroup,
} from './news-post-rows';
import { newsPostDataView, newsPostView } from './news-post.view';
import type {
  CreatePostBody,
  NewsPostView,
  PostListQuery,
  ResolvePostBody,
  UpdatePostBody,
} from './news.schemas';
import { newsSettings, parseNewsSettings, type NewsSettings } from './news-settings';

/** A post as the caller may see it, with their access to its group, the group's settings and the post's view. */
export interface PostInGroup {
  access: GroupAccessContext;
  post: NewsPost;
  settings: NewsSettings;
  view: NewsPostView;
}

/** Alerts shown at once in the portal banner: a handful at most, so no pagination. */
const ALERT_LIMIT = 50;

/**
 * The news of groups: posts, their visibility in time (publishAt, expiresAt), urgent alerts
 * and their resolution, and the tenant-wide feed. Access rules come from GroupAccess; what is
 * special to news (who may post urgent, pin, see unpublished posts) is decided here.
 */
@Injectable()
export class NewsService {
  constructor(
    private readonly scope: TenantScope,
    private readonly access: GroupAccess,
  ) {}

  /** A group's posts: pinned first, then newest; unpublished ones only for their author and moderators. */
  async list(actor: Actor, groupKey: string, query: PostListQuery): Promise<Page<NewsPostView>> {
    return this.scope.read(async (em) => {
      const access = await this.access.require(actor, groupKey, 'news');
      const now = new Date();
      const params: unknown[] = [access.group.id, now, now, access.canModerate, memberIdOf(actor)];
      let where = `p.group_id = ? and (p.expires_at is null or p.expires_at > ?)
        and (p.publish_at <= ? or ?::boolean or p.author_id = ?::uuid)`;
      if (query.category) {
        where += ' and p.category_key = ?';
        params.push(query.category);
      }
      if (query.cursor) {
        const [pinned, publishAt, id] = decodeCursor(query.cursor, 3);
        where += ' and (p.pinned, p.publish_at, p.id) < (?::boolean, ?::timestamptz, ?::uuid)';
        params.push(pinned, publishAt, id);
      }
      const posts = await selectNewsPosts(em, {
        where,
        params,
        order: 'p.pinned desc, p.publish_at desc, p.id desc',
        limit: query.limit + 1,
      });
      const settings = newsSettings(access.module);
      return toPage(
        posts,
        query.limit,
        (post) => newsPostDataView(post, access.group.key, settings),
        (post) => [post.pinned, post.publishAt.toISOString(), post.id],
      );
    });
  }

  async get(actor: Actor, groupKey: string, id: string): Promise<NewsPostView> {
    const access = await this.access.require(actor, groupKey, 'news');
    const post = await this.visiblePost(actor, access, id);
    return newsPostView(post, access.group.key, newsSettings(access.module));
  }

  /**
   * A post as the caller may see it (the same rules as `get`), with the caller's access to the
   * group's news and its settings: what comments on the post build on.
   */
  async postInGroup(actor: Actor, groupKey: string, id: string): Promise<PostInGroup> {
    const access = await this.access.require(actor, groupKey, 'news');
    const post = await this.visiblePost(actor, access, id);
    const settings = newsSettings(access.module);
    return { access, post, settings, view: newsPostView(post, access.group.key, settings) };
  }

  async create(actor: Actor, groupKey: string, input: CreatePostBody): Promise<NewsPostView> {
    const access = await this.access.requireWrite(actor, groupKey, 'news');
    const settings = newsSettings(access.module);
    checkCategory(settings, input.category);
    if (input.urgency === 'urgent') checkMayPostUrgent(access, settings);
    if (input.pinned && !access.canModerate) {
      throw ProblemException.forbidden('Only the group admins may pin posts.');
    }
    const publishAt = input.publishAt ? new Date(input.publishAt) : new Date();
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    checkTimes(publishAt, expiresAt);
    const em = this.scope.em();
    const author = await em.findOneOrFail(MemberSchema, { id: memberIdOf(actor)! });
    const post = em.create(NewsPostSchema, {
      group: access.group,
      author,
      categoryKey: input.category,
      title: input.title,
      body: input.body,
      urgency: input.urgency,
      pinned: input.pinned,
      publishAt,
      expiresAt,
    });
    recordOutboxEvent(em, 'news.post.published', publishedPayload(post, access.group));
    // One flush, one transaction: the post and its outbox row are written together or not at all.
    await em.flush();
    return newsPostView(post, access.group.key, settings);
  }

  /** Authors edit their own posts; moderators edit every post, and only they pin or unpin. */
  async update(actor: Actor, groupKey: string, id: string, input: UpdatePostBody): Promise<NewsPostView> {
    const access = await this.requireSignedIn(actor, groupKey);
    const settings = newsSettings(access.module);
    return this.scope.em().transactional(async (em) => {
      const post = await this.visiblePost(actor, access, id, em, LockMode.PESSIMISTIC_WRITE);
      const own = isAuthor(actor, post) && access.canWrite;
      if (!own && !access.canModerate) {
        throw ProblemException.forbidden('Only the author and the group admins may edit this post.');
      }
      if (input.category !== undefined && input.category !== post.categoryKey) {
        checkCategory(settings, input.category);
      }
      const escalated = input.urgency === 'urgent' && post.urgency !== 'urgent';
      if (escalated) checkMayPostUrgent(access, settings);
      const pinChanged = input.pinned !== undefined && input.pinned !== post.pinned;
      if (pinChanged && !access.canModerate) {
        throw ProblemException.forbidden('Only the group admins may pin or unpin posts.');
      }
      const publishAt = input.publishAt !== undefined ? new Date(input.publishAt) : post.publishAt;
      const expiresAt =
        input.expiresAt === undefined
          ? (post.expiresAt ?? null)
          : input.expiresAt === null
            ? null
            : new Date(input.expiresAt);
      checkTimes(publishAt, expiresAt);

      const changed = Object.keys(input).filter((field) => field !== 'pinned');
      const previousPublishAt = post.publishAt.getTime();
      if (input.title !== undefined) post.title = input.title;
      if (input.body !== undefined) post.body = input.body;
      if (input.category !== undefined) post.categoryKey = input.category;
      if (input.urgency !== undefined) post.urgency = input.urgency;
      if (input.pinned !== undefined) post.pinned = input.pinned;
      post.publishAt = publishAt;
      post.expiresAt = expiresAt;

      if (pinChanged) {
        recordAudit(em, actor, {
          action: post.pinned ? 'news.post.pinned' : 'news.post.unpinned',
          entityType: 'news_post',
          entityId: post.id,
          details: { group: access.group.key },
        });
      }
      if (!own && changed.length > 0) {
        // A moderator changing someone else's words: on the record.
        recordAudit(em, actor, {
          action: 'news.post.edited',
          entityType: 'news_post',
          entityId: post.id,
          details: { group: access.group.key, fields: changed, authorMemberId: post.author?.id ?? null },
        });
      }
      // Raised to urgent: members must hear about it now, as about a new urgent post. An urgent
      // post moved to another publish time: the alert goes out at the new time (the ledger keys
      // alerts by post, so nobody gets it twice).
      const rescheduled =
        !escalated && post.urgency === 'urgent' && publishAt.getTime() !== previousPublishAt;
      if (escalated || rescheduled)
        recordOutboxEvent(em, 'news.post.published', publishedPayload(post, access.group));
      await em.flush();
      return newsPostView(post, access.group.key, settings);
    });
  }

  /** Authors delete their own posts; moderators every post (audited when it is someone else's). */
  async remove(actor: Actor, groupKey: string, id: string): Promise<void> {
    const access = await this.requireSignedIn(actor, groupKey);
    await this.scope.em().transactional(async (em) => {
      const post = await this.visiblePost(actor, access, id, em, LockMode.PESSIMISTIC_WRITE);
      const own = isAuthor(actor, post) && access.canWrite;
      if (!own && !access.canModerate) {
        throw ProblemException.forbidden('Only the author and the group admins may delete this post.');
      }
      if (!own) {
        recordAudit(em, actor, {
          action: 'news.post.deleted',
          entityType: 'news_post',
          entityId: post.id,
          details: { group: access.group.key, title: post.title, authorMemberId: post.author?.id ?? null },
        });
      }
      em.remove(post);
      await em.flush();
    });
  }

  /** Calls off an urgent alert with a follow-up ("Entwarnung"); moderators only, once. */
  async resolve(actor: Actor, groupKey: string, id: string, input: ResolvePostBody): Promise<NewsPostView> {
    const access = await this.access.requireModerate(actor, groupKey, 'news');
    return this.scope.em().transactional(async (em) => {
      // Two admins resolving at once: the second waits, then sees it resolved (409).
      const post = await this.visiblePost(actor, access, id, em, LockMode.PESSIMISTIC_WRITE);
      if (post.urgency !== 'urgent') throw conflict('Only urgent posts can be resolved.');
      if (post.resolvedAt) throw conflict('This alert was resolved already.');
      post.resolvedAt = new Date();
      post.resolvedByMemberId = memberIdOf(actor);
      post.followUp = input.followUp;
      recordAudit(em, actor, {
        action: 'news.alert.resolved',
        entityType: 'news_post',
        entityId: post.id,
        details: { group: access.group.key },
      });
      recordOutboxEvent(em, 'news.alert.resolved', {
        postId: post.id,
        groupId: access.group.id,
        groupKey: access.group.key,
        resolvedAt: post.resolvedAt.toISOString(),
      });
      await em.flush();
      return newsPostView(post, access.group.key, newsSettings(access.module));
    });
  }

  /**
   * Every published, unexpired post of the groups with news the caller may read: unresolved
   * urgent alerts first, then pinned posts, then the newest. One statement.
   */
  async feed(actor: Actor, query: PageQuery): Promise<Page<NewsPostView>> {
    const now = new Date();
    const params: unknown[] = [now, now];
    let where = 'p.publish_at <= ? and (p.expires_at is null or p.expires_at > ?)';
    if (query.cursor) {
      const [isAlert, pinned, publishAt, id] = decodeCursor(query.cursor, 4);
      where += ` and (${ACTIVE_ALERT}, p.pinned, p.publish_at, p.id) < (?::boolean, ?::boolean, ?::timestamptz, ?::uuid)`;
      params.push(isAlert, pinned, publishAt, id);
    }
    // One statement, alone: a transaction of its own in one round trip (TenantScope.execute).
    const posts = await selectNewsPostsInGroups(this.scope, this.access.readableGroupsQuery(actor, 'news'), {
      where,
      params,
      order: `${ACTIVE_ALERT} desc, p.pinned desc, p.publish_at desc, p.id desc`,
      limit: query.limit + 1,
    });
    const settings = settingsByGroup(posts);
    return toPage(
      posts,
      query.limit,
      (post) => newsPostDataView(post, post.groupKey, settings.get(post.groupId)!),
      (post) => [isActiveAlert(post), post.pinned, post.publishAt.toISOString(), post.id],
    );
  }

  /** Active urgent alerts (published, unexpired, unresolved) the caller may read, newest first. */
  async alerts(actor: Actor): Promise<NewsPostView[]> {
    const now = new Date();
    const posts = await selectNewsPostsInGroups(this.scope, this.access.readableGroupsQuery(actor, 'news'), {
      where: `p.urgency = 'urgent' and p.resolved_at is null
        and p.publish_at <= ? and (p.expires_at is null or p.expires_at > ?)`,
      params: [now, now],
      order: 'p.publish_at desc, p.id desc',
      limit: ALERT_LIMIT,
    });
    const settings = settingsByGroup(posts);
    return posts.map((post) => newsPostDataView(post, post.groupKey, settings.get(post.groupId)!));
  }

  /** Writing routes: 401 without login, then the group's read rules (404). */
  private async requireSignedIn(actor: Actor, groupKey: string): Promise<GroupAccessContext> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    return this.access.require(actor, groupKey, 'news');
  }

  /**
   * A post of the group as the caller may see it: before its publishAt and after its expiry
   * only its author and the moderators see it; to everyone else it does not exist (404).
   */
  private async visiblePost(
    actor: Actor,
    access: GroupAccessContext,
    id: string,
    em: EntityManager = this.scope.em(),
    lockMode?: LockMode.PESSIMISTIC_WRITE,
  ): Promise<NewsPost> {
    const post = await em.findOne(
      NewsPostSchema,
      { id, group: access.group.id },
      lockMode ? { lockMode } : {},
    );
    const now = new Date();
    const hidden = post && (post.publishAt > now || (post.expiresAt && post.expiresAt <= now));
    if (!post || (hidden && !access.canModerate && !isAuthor(actor, post))) {
      throw ProblemException.notFound('No such post in this group.');
    }
    // The author separately: a row lock cannot be taken across an outer join.
    if (post.author) await em.populate(post, ['author']);
    return post;
  }
}

function memberIdOf(actor: Actor): string | null {
  return actor.membership?.memberId ?? null;
}

function isAuthor(actor: Actor, post: NewsPost): boolean {
  const memberId = memberIdOf(actor);
  return memberId !== null && post.author?.id === memberId;
}

/** An unresolved urgent post, in SQL; feeds show these first. */
const ACTIVE_ALERT = `(p.urgency = 'urgent' and p.resolved_at is null)`;

/** The news settings of the posts' groups, each parsed once. */
function settingsByGroup(posts: NewsPostInGroup[]): Map<string, NewsSettings> {
  const settings = new Map<string, NewsSettings>();
  for (const post of posts) {
    if (!settings.has(post.groupId)) settings.set(post.groupId, parseNewsSettings(post.groupSettings));
  }
  return settings;
}

function isActiveAlert(post: NewsPostData): boolean {
  return post.urgency === 'urgent' && !post.resolvedAt;
}

function checkCategory(settings: NewsSettings, key: string): void {
  if (!settings.categories.some((category) => category.key === key)) {
    const known = settings.categories.map((category) => category.key).join(', ') || 'none';
    throw ProblemException.validation([
      { path: 'category', message: `not a news category of this group (${known})` },
    ]);
  }
}

function checkMayPostUrgent(access: GroupAccessContext, settings: NewsSettings): void {
  if (!settings.urgentAlerts) throw ProblemException.forbidden('This group does not post urgent alerts.');
  if (!access.canModerate) throw ProblemException.forbidden('Only the group admins may post urgent alerts.');
}

function checkTimes(publishAt: Date, expiresAt: Date | null): void {
  if (expiresAt && expiresAt <= publishAt) {
    throw ProblemException.validation([{ path: 'expiresAt', message: 'must be after publishAt' }]);
  }
}

function conflict(detail: string): ProblemException {
  return new ProblemException({ type: ProblemType.conflict, title: 'Conflict', status: 409, detail });
}

/**
 * What the worker needs to notify: ids and urgency (urgent ones bypass digests), and when
 * the post becomes visible (a post scheduled for later must not be announced before).
 */
function publishedPayload(post: NewsPost, group: Group): Record<string, unknown> {
  return {
    postId: post.id,
    groupId: group.id,
    groupKey: group.key,
    category: post.categoryKey,
    urgency: post.urgency,
    publishAt: post.publishAt.toISOString(),
    authorMemberId: post.author?.id ?? null,
  };
}
