import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@allmende/auth';
import {
  decodeCursor,
  GroupAccess,
  recordAudit,
  recordOutboxEvent,
  renderMarkdown,
  toPage,
  type GroupAccessContext,
  type Page,
  type PageQuery,
} from '@allmende/content';
import { newId, ProblemException } from '@allmende/core';
import { TenantScope, tenantContext } from '@allmende/db';
import { GroupMemberSchema } from '@allmende/groups';
import { memberReferenceOf, MemberSchema } from '@allmende/members';
import { DiscussionCommentSchema, type DiscussionComment } from './discussion-comment.entity';
import { DiscussionThreadSchema, type DiscussionThread } from './discussion-thread.entity';
import type {
  CommentInput,
  CommentView,
  CreateThreadInput,
  EditThreadInput,
  ThanksView,
  ThreadDetailView,
  ThreadView,
} from './discussion-views';

const MODULE = 'discussions';

/** What one viewer sees of content: the moderator's view shows hidden text. */
interface Viewer {
  memberId: string | null;
  canModerate: boolean;
}

type ThanksTarget =
  { kind: 'thread'; threadId: string } | { kind: 'comment'; threadId: string; commentId: string };
type ThanksSummary = Map<string, { count: number; mine: boolean }>;

function conflict(detail: string): ProblemException {
  return new ProblemException({ type: '/problems/conflict', title: 'Conflict', status: 409, detail });
}

/**
 * Threads, comments and thanks of the discussions module, with the rules of the issue:
 * members of the group write; authors edit and delete their own content; moderators (group
 * admins, tenant admins) hide, lock, and edit or delete others' content, which is audited.
 * Counters change only in single SQL statements (or are counted), never read-modify-write.
 */
@Injectable()
export class DiscussionsService {
  constructor(
    private readonly scope: TenantScope,
    private readonly access: GroupAccess,
  ) {}

  // ---- reading ----------------------------------------------------------------------------

  /** Threads of a group, most recent activity first. */
  async listThreads(actor: Actor, groupKey: string, query: PageQuery): Promise<Page<ThreadView>> {
    const access = await this.access.require(actor, groupKey, MODULE);
    const viewer = viewerOf(actor, access);
    const where = [
      { group: access.group.id },
      ...this.listedThreadConditions(viewer.canModerate ? 'all' : []),
      ...threadCursor(query.cursor),
    ];
    return this.threadPage(where, query.limit, viewer, () => viewer.canModerate);
  }

  /** Recent threads of every group with discussions that the caller may read. */
  async tenantThreads(actor: Actor, query: PageQuery): Promise<Page<ThreadView>> {
    const groupIds = await this.access.readableGroupIds(actor, MODULE);
    if (groupIds.length === 0) return { items: [], nextCursor: null };
    const moderated = await this.moderatedGroupIds(actor);
    const where = [
      { group: { $in: groupIds } },
      ...this.listedThreadConditions(moderated),
      ...threadCursor(query.cursor),
    ];
    const viewer = { memberId: actor.membership?.memberId ?? null, canModerate: false };
    return this.threadPage(where, query.limit, viewer, (thread) =>
      moderated === 'all' ? true : moderated.includes(thread.group.id),
    );
  }

  /** One thread with a page of its comments, oldest first. */
  async getThread(
    actor: Actor,
    groupKey: string,
    threadId: string,
    query: PageQuery,
  ): Promise<ThreadDetailView> {
    const access = await this.access.require(actor, groupKey, MODULE);
    const viewer = viewerOf(actor, access);
    const thread = await this.visibleThread(access, viewer, threadId, { tombstones: true });
    const em = this.scope.em();
    const conditions: object[] = [{ thread: thread.id }, { deletedAt: null }];
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, 2) as [string, string];
      conditions.push({
        $or: [{ createdAt: { $gt: new Date(at) } }, { createdAt: new Date(at), id: { $gt: id } }],
      });
    }
    const comments = await em.find(
      DiscussionCommentSchema,
      { $and: conditions },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: query.limit + 1, populate: ['author'] },
    );
    const shown = comments.slice(0, query.limit);
    const commentThanks = await this.thanksSummary(
      'comment',
      shown.map((comment) => comment.id),
      viewer.memberId,
    );
    const threadThanks = await this.thanksSummary('thread', [thread.id], viewer.memberId);
    return {
      ...threadView(thread, viewer, threadThanks),
      comments: toPage(
        comments,
        query.limit,
        (comment) => commentView(comment, viewer, commentThanks),
        (comment) => [comment.createdAt.toISOString(), comment.id],
      ),
    };
  }

  // ---- writing ----------------------------------------------------------------------------

  async createThread(actor: Actor, groupKey: string, input: CreateThreadInput): Promise<ThreadView> {
    const access = await this.access.requireWrite(actor, groupKey, MODULE);
    const viewer = viewerOf(actor, access);
    const em = this.scope.em();
    const now = new Date();
    const thread = em.create(DiscussionThreadSchema, {
      group: access.group,
      author: em.getReference(MemberSchema, viewer.memberId!),
      title: input.title,
      body: input.body,
      createdAt: now,
      lastActivityAt: now,
    });
    recordOutboxEvent(em, 'discussions.thread.created', {
      groupId: access.group.id,
      threadId: thread.id,
      authorMemberId: viewer.memberId,
    });
    await em.flush(); // one flush: thread and outbox row in one transaction
    await em.populate(thread, ['author']);
    return threadView(thread, viewer, new Map());
  }

  /** The author edits their thread; a moderator may edit anyone's (audited). */
  async editThread(
    actor: Actor,
    groupKey: string,
    threadId: string,
    input: EditThreadInput,
  ): Promise<ThreadView> {
    const access = await this.requireChanger(actor, groupKey);
    const viewer = viewerOf(actor, access);
    const thread = await this.visibleThread(access, viewer, threadId);
    const own = this.mayChange(thread.author.id, viewer);
    const em = this.scope.em();
    if (input.title !== undefined) thread.title = input.title;
    if (input.body !== undefined) thread.body = input.body;
    thread.editedAt = new Date();
    if (!own) this.audit(em, actor, 'discussions.thread.edited', 'discussion_thread', thread.id, access);
    await em.flush();
    return threadView(thread, viewer, await this.thanksSummary('thread', [thread.id], viewer.memberId));
  }

  /**
   * Soft delete: the text is erased and the thread leaves the lists, but a thread others
   * commented on stays readable as "deleted" with its comments (their context stays).
   */
  async deleteThread(actor: Actor, groupKey: string, threadId: string): Promise<void> {
    const access = await this.requireChanger(actor, groupKey);
    const viewer = viewerOf(actor, access);
    const thread = await this.visibleThread(access, viewer, threadId);
    const own = this.mayChange(thread.author.id, viewer);
    const em = this.scope.em();
    thread.deletedAt = new Date();
    thread.deletedByMemberId = viewer.memberId;
    thread.title = '';
    thread.body = '';
    if (!own) this.audit(em, actor, 'discussions.thread.deleted', 'discussion_thread', thread.id, access);
    await em.flush();
  }

  /**
   * A comment. The thread's counter and activity time move in the same SQL statement that
   * checks it is still open, so a lock or delete at the same moment cannot slip a comment in,
   * and concurrent comments cannot lose a count. Moderators may comment on locked threads.
   */
  async addComment(
    actor: Actor,
    groupKey: string,
    threadId: string,
    input: CommentInput,
  ): Promise<CommentView> {
    const access = await this.access.requireWrite(actor, groupKey, MODULE);
    const viewer = viewerOf(actor, access);
    const thread = await this.visibleThread(access, viewer, threadId, { tombstones: true });
    if (thread.deletedAt) throw conflict('This thread was deleted; it takes no more comments.');
    if (thread.lockedAt && !viewer.canModerate) throw conflict('This thread is locked.');
    const comment = await this.scope.em().transactional(async (em) => {
      const now = new Date();
      const opened = await em.execute<{ id: string }[]>(
        `update discussion_threads
            set comment_count = comment_count + 1,
                last_activity_at = greatest(last_activity_at, ?),
                updated_at = now()
          where id = ? and deleted_at is null and (locked_at is null or ?::boolean)
          returning id`,
        [now, thread.id, viewer.canModerate],
      );
      // Locked or deleted since it was read.
      if (opened.length === 0) throw conflict('This thread is closed for comments.');
      const participants = await em.execute<{ author_id: string }[]>(
        'select distinct author_id from discussion_comments where thread_id = ? and deleted_at is null',
        [thread.id],
      );
      const created = em.create(DiscussionCommentSchema, {
        thread: em.getReference(DiscussionThreadSchema, thread.id),
        author: em.getReference(MemberSchema, viewer.memberId!),
        body: input.body,
        createdAt: now,
      });
      recordOutboxEvent(em, 'discussions.comment.created', {
        groupId: access.group.id,
        threadId: thread.id,
        commentId: created.id,
        authorMemberId: viewer.memberId,
        threadAuthorMemberId: thread.author.id,
        participantMemberIds: participants.map((row) => row.author_id),
      });
      await em.flush();
      return created;
    });
    const em = this.scope.em();
    const loaded = await em.findOneOrFail(DiscussionCommentSchema, comment.id, { populate: ['author'] });
    return commentView(loaded, viewer, new Map());
  }

  /** The author edits their comment (not in a locked thread); a moderator anyone's (audited). */
  async editComment(
    actor: Actor,
    groupKey: string,
    threadId: string,
    commentId: string,
    input: CommentInput,
  ): Promise<CommentView> {
    const access = await this.requireChanger(actor, groupKey);
    const viewer = viewerOf(actor, access);
    const { thread, comment } = await this.visibleComment(access, viewer, threadId, commentId);
    const own = this.mayChange(comment.author.id, viewer);
    if (thread.lockedAt && !viewer.canModerate) throw conflict('This thread is locked.');
    const em = this.scope.em();
    comment.body = input.body;
    comment.editedAt = new Date();
    if (!own) this.audit(em, actor, 'discussions.comment.edited', 'discussion_comment', comment.id, access);
    await em.flush();
    return commentView(comment, viewer, await this.thanksSummary('comment', [comment.id], viewer.memberId));
  }

  /** Soft delete (text erased, no longer listed); the thread's counter goes down once. */
  async deleteComment(actor: Actor, groupKey: string, threadId: string, commentId: string): Promise<void> {
    const access = await this.requireChanger(actor, groupKey);
    const viewer = viewerOf(actor, access);
    // Also under a deleted thread: the comments of others stay theirs to delete.
    const { comment } = await this.visibleComment(access, viewer, threadId, commentId, { tombstones: true });
    const own = this.mayChange(comment.author.id, viewer);
    await this.scope.em().transactional(async (em) => {
      const deleted = await em.execute<{ id: string }[]>(
        `update discussion_comments
            set deleted_at = now(), deleted_by_member_id = ?, body = '', updated_at = now()
          where id = ? and deleted_at is null
          returning id`,
        [viewer.memberId, comment.id],
      );
      // Deleted twice at once: only the first one counts down.
      if (deleted.length === 0) return;
      await em.execute(
        'update discussion_threads set comment_count = comment_count - 1, updated_at = now() where id = ?',
        [threadId],
      );
      if (!own)
        this.audit(em, actor, 'discussions.comment.deleted', 'discussion_comment', comment.id, access);
      await em.flush();
    });
  }

  // ---- thanks -----------------------------------------------------------------------------

  /** Thank (or take back the thanks for) a thread or comment; both idempotent. */
  async setThanks(
    actor: Actor,
    groupKey: string,
    target: ThanksTarget,
    thanked: boolean,
  ): Promise<ThanksView> {
    const access = await this.access.requireWrite(actor, groupKey, MODULE);
    const viewer = viewerOf(actor, access);
    const authorId =
      target.kind === 'thread'
        ? (await this.visibleThread(access, viewer, target.threadId)).author.id
        : (await this.visibleComment(access, viewer, target.threadId, target.commentId)).comment.author.id;
    if (thanked && authorId === viewer.memberId) {
      throw ProblemException.forbidden('You cannot thank yourself.');
    }
    const column = target.kind === 'thread' ? 'thread_id' : 'comment_id';
    const targetId = target.kind === 'thread' ? target.threadId : target.commentId;
    await this.scope.em().transactional(async (em) => {
      if (thanked) {
        // The unique (tenant, target, member) makes thanking twice (even at once) one thanks.
        await em.execute(
          `insert into discussion_thanks (id, created_at, updated_at, tenant_id, member_id, ${column})
           values (?, now(), now(), ?, ?, ?) on conflict do nothing`,
          [newId(), tenantContext.requireTenantId(), viewer.memberId, targetId],
        );
      } else {
        await em.execute(`delete from discussion_thanks where ${column} = ? and member_id = ?`, [
          targetId,
          viewer.memberId,
        ]);
      }
    });
    const summary = (await this.thanksSummary(target.kind, [targetId], viewer.memberId)).get(targetId);
    return { thanksCount: summary?.count ?? 0, thankedByMe: summary?.mine ?? false };
  }

  // ---- moderation -------------------------------------------------------------------------

  async setThreadHidden(
    actor: Actor,
    groupKey: string,
    threadId: string,
    hidden: boolean,
  ): Promise<ThreadView> {
    const access = await this.access.requireModerate(actor, groupKey, MODULE);
    const viewer = viewerOf(actor, access);
    const thread = await this.visibleThread(access, viewer, threadId);
    if (!!thread.hiddenAt !== hidden) {
      thread.hiddenAt = hidden ? new Date() : null;
      thread.hiddenByMemberId = hidden ? viewer.memberId : null;
      const action = hidden ? 'discussions.thread.hidden' : 'discussions.thread.unhidden';
      this.audit(this.scope.em(), actor, action, 'discussion_thread', thread.id, access);
      await this.scope.em().flush();
    }
    return threadView(thread, viewer, await this.thanksSummary('thread', [thread.id], viewer.memberId));
  }

  async setThreadLocked(
    actor: Actor,
    groupKey: string,
    threadId: string,
    locked: boolean,
  ): Promise<ThreadView> {
    const access = await this.access.requireModerate(actor, groupKey, MODULE);
    const viewer = viewerOf(actor, access);
    const thread = await this.visibleThread(access, viewer, threadId);
    if (!!thread.lockedAt !== locked) {
      thread.lockedAt = locked ? new Date() : null;
      thread.lockedByMemberId = locked ? viewer.memberId : null;
      const action = locked ? 'discussions.thread.locked' : 'discussions.thread.unlocked';
      this.audit(this.scope.em(), actor, action, 'discussion_thread', thread.id, access);
      await this.scope.em().flush();
    }
    return threadView(thread, viewer, await this.thanksSummary('thread', [thread.id], viewer.memberId));
  }

  async setCommentHidden(
    actor: Actor,
    groupKey: string,
    threadId: string,
    commentId: string,
    hidden: boolean,
  ): Promise<CommentView> {
    const access = await this.access.requireModerate(actor, groupKey, MODULE);
    const viewer = viewerOf(actor, access);
    const { comment } = await this.visibleComment(access, viewer, threadId, commentId);
    if (!!comment.hiddenAt !== hidden) {
      comment.hiddenAt = hidden ? new Date() : null;
      comment.hiddenByMemberId = hidden ? viewer.memberId : null;
      const action = hidden ? 'discussions.comment.hidden' : 'discussions.comment.unhidden';
      this.audit(this.scope.em(), actor, action, 'discussion_comment', comment.id, access);
      await this.scope.em().flush();
    }
    return commentView(comment, viewer, await this.thanksSummary('comment', [comment.id], viewer.memberId));
  }

  // ---- helpers ----------------------------------------------------------------------------

  /**
   * Editing and deleting need a signed-in reader; `mayChange` then allows the author (even
   * after leaving the group: their own words stay theirs) and moderators, who need not be
   * members of the group (a tenant admin moderates every group).
   */
  private async requireChanger(actor: Actor, groupKey: string): Promise<GroupAccessContext> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    return this.access.require(actor, groupKey, MODULE);
  }

  /** Whether the viewer may change content by this author: their own, or as a moderator. */
  private mayChange(authorId: string, viewer: Viewer): boolean {
    const own = authorId === viewer.memberId;
    if (!own && !viewer.canModerate) {
      throw ProblemException.forbidden('Only the author or a group admin may change this.');
    }
    return own;
  }

  private audit(
    em: EntityManager,
    actor: Actor,
    action: string,
    entityType: string,
    entityId: string,
    access: GroupAccessContext,
  ): void {
    recordAudit(em, actor, { action, entityType, entityId, details: { groupId: access.group.id } });
  }

  /**
   * The thread, if this viewer may see it: hidden ones only for moderators; deleted ones
   * only as tombstones (when asked for and others commented on them). Else 404.
   */
  private async visibleThread(
    access: GroupAccessContext,
    viewer: Viewer,
    threadId: string,
    options: { tombstones?: boolean } = {},
  ): Promise<DiscussionThread> {
    const thread = await this.scope
      .em()
      .findOne(
        DiscussionThreadSchema,
        { id: threadId, group: access.group.id },
        { populate: ['author', 'group'] },
      );
    const visible =
      !!thread &&
      (!thread.hiddenAt || viewer.canModerate) &&
      (!thread.deletedAt || (!!options.tombstones && thread.commentCount > 0));
    if (!visible) throw ProblemException.notFound('No such thread in this group.');
    return thread;
  }

  /** The comment in a visible thread (not deleted, unless asked); hidden comments only for moderators. */
  private async visibleComment(
    access: GroupAccessContext,
    viewer: Viewer,
    threadId: string,
    commentId: string,
    options: { tombstones?: boolean } = {},
  ): Promise<{ thread: DiscussionThread; comment: DiscussionComment }> {
    const thread = await this.visibleThread(access, viewer, threadId, options);
    const comment = await this.scope
      .em()
      .findOne(
        DiscussionCommentSchema,
        { id: commentId, thread: thread.id, deletedAt: null },
        { populate: ['author'] },
      );
    if (!comment || (comment.hiddenAt && !viewer.canModerate)) {
      throw ProblemException.notFound('No such comment in this thread.');
    }
    return { thread, comment };
  }

  /**
   * What lists show: threads not deleted (or deleted with comments, as tombstones), and
   * hidden ones only in groups the viewer moderates.
   */
  private listedThreadConditions(moderated: 'all' | string[]): object[] {
    const conditions: object[] = [{ $or: [{ deletedAt: null }, { commentCount: { $gt: 0 } }] }];
    if (moderated !== 'all') {
      conditions.push(
        moderated.length > 0
          ? { $or: [{ hiddenAt: null }, { group: { $in: moderated } }] }
          : { hiddenAt: null },
      );
    }
    return conditions;
  }

  private async threadPage(
    conditions: object[],
    limit: number,
    viewer: Viewer,
    moderates: (thread: DiscussionThread) => boolean,
  ): Promise<Page<ThreadView>> {
    const threads = await this.scope
      .em()
      .find(
        DiscussionThreadSchema,
        { $and: conditions },
        { orderBy: { lastActivityAt: 'desc', id: 'desc' }, limit: limit + 1, populate: ['author', 'group'] },
      );
    const thanks = await this.thanksSummary(
      'thread',
      threads.slice(0, limit).map((thread) => thread.id),
      viewer.memberId,
    );
    return toPage(
      threads,
      limit,
      (thread) => threadView(thread, { ...viewer, canModerate: moderates(thread) }, thanks),
      (thread) => [thread.lastActivityAt.toISOString(), thread.id],
    );
  }

  /** Groups whose hidden content the caller sees: all for tenant admins, else where group admin. */
  private async moderatedGroupIds(actor: Actor): Promise<'all' | string[]> {
    if (actor.membership?.role === 'tenant_admin') return 'all';
    const memberId = actor.membership?.memberId;
    if (!memberId) return [];
    const rows = await this.scope
      .em()
      .find(GroupMemberSchema, { member: memberId, role: 'group_admin' }, { fields: ['group'] });
    return rows.map((row) => row.group.id);
  }

  /** Thanks counted (never stored) per target, and whether `memberId` is among them. */
  private async thanksSummary(
    kind: 'thread' | 'comment',
    ids: string[],
    memberId: string | null,
  ): Promise<ThanksSummary> {
    if (ids.length === 0) return new Map();
    const column = kind === 'thread' ? 'thread_id' : 'comment_id';
    const rows = await this.scope.em().execute<{ id: string; count: number; mine: boolean }[]>(
      `select ${column} as id, count(*)::int as count, coalesce(bool_or(member_id = ?::uuid), false) as mine
         from discussion_thanks where ${column} in (${ids.map(() => '?').join(', ')})
        group by ${column}`,
      [memberId, ...ids],
    );
    return new Map(rows.map((row) => [row.id, { count: row.count, mine: row.mine }]));
  }
}

function viewerOf(actor: Actor, access: GroupAccessContext): Viewer {
  return { memberId: actor.membership?.memberId ?? null, canModerate: access.canModerate };
}

/** Keyset condition after the cursor's (lastActivityAt, id), newest first. */
function threadCursor(cursor: string | undefined): object[] {
  if (!cursor) return [];
  const [at, id] = decodeCursor(cursor, 2) as [string, string];
  if (Number.isNaN(new Date(at).getTime())) {
    throw ProblemException.validation([{ path: 'cursor', message: 'not a cursor of this list' }]);
  }
  return [
    { $or: [{ lastActivityAt: { $lt: new Date(at) } }, { lastActivityAt: new Date(at), id: { $lt: id } }] },
  ];
}

function threadView(thread: DiscussionThread, viewer: Viewer, thanks: ThanksSummary): ThreadView {
  const deleted = !!thread.deletedAt;
  const hidden = !!thread.hiddenAt;
  // Moderators read hidden text; nobody reads deleted text (it is erased).
  const showText = !deleted && (!hidden || viewer.canModerate);
  const group = thread.group.getEntity();
  return {
    id: thread.id,
    group: { id: group.id, key: group.key },
    title: showText ? thread.title : null,
    body: showText ? thread.body : null,
    bodyHtml: showText ? renderMarkdown(thread.body) : null,
    author: showText ? memberReferenceOf(thread.author.getEntity()) : null,
    mine: !deleted && thread.author.id === viewer.memberId,
    createdAt: thread.createdAt.toISOString(),
    editedAt: thread.editedAt?.toISOString() ?? null,
    lastActivityAt: thread.lastActivityAt.toISOString(),
    commentCount: thread.commentCount,
    thanksCount: thanks.get(thread.id)?.count ?? 0,
    thankedByMe: thanks.get(thread.id)?.mine ?? false,
    locked: !!thread.lockedAt,
    hidden,
    deleted,
  };
}

function commentView(comment: DiscussionComment, viewer: Viewer, thanks: ThanksSummary): CommentView {
  const hidden = !!comment.hiddenAt;
  const showText = !hidden || viewer.canModerate;
  return {
    id: comment.id,
    threadId: comment.thread.id,
    body: showText ? comment.body : null,
    bodyHtml: showText ? renderMarkdown(comment.body) : null,
    author: showText ? memberReferenceOf(comment.author.getEntity()) : null,
    mine: comment.author.id === viewer.memberId,
    createdAt: comment.createdAt.toISOString(),
    editedAt: comment.editedAt?.toISOString() ?? null,
    thanksCount: thanks.get(comment.id)?.count ?? 0,
    thankedByMe: thanks.get(comment.id)?.mine ?? false,
    hidden,
  };
}
