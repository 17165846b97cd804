import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { decodeCursor, GroupAccess, type GroupAccessContext } from '@allmende/content';
import { ProblemException } from '@allmende/core';
import {
  commentBody,
  createThreadBody,
  DiscussionsService,
  idParam,
  type CommentView,
  type ThreadDetailView,
  type ThreadView,
} from '@allmende/discussions';
import type { MemberReference } from '@allmende/members';
import { groupHeading, groupTabs } from './portal-group-tabs';
import { PortalView, type PortalContext } from './portal-view';
import { type FormBody, formState, formText, isValidationProblem, parseForm } from './portal-forms';

const THREAD_PAGE_SIZE = 20;
/** The REST API's maximum page: a thread's comments, oldest first. */
const COMMENT_PAGE_SIZE = 100;
const MODULE = 'discussions';

/** The thanks button's field: thank (`true`) or take the thanks back (`false`). */
const thanksForm = z.strictObject({ thanked: z.enum(['true', 'false']) });

/** A form's fields: their ids on the page and the catalogue's message for a refused value. */
const FIELDS = {
  thread: {
    title: {
      id: 'thread-title',
      labelKey: 'portal.discussions.fieldTitle',
      errorKey: 'portal.discussions.errors.title',
    },
    body: {
      id: 'thread-body',
      labelKey: 'portal.discussions.fieldBody',
      errorKey: 'portal.discussions.errors.body',
    },
  },
  comment: {
    body: {
      id: 'comment-body',
      labelKey: 'portal.discussions.fieldComment',
      errorKey: 'portal.discussions.errors.comment',
    },
  },
} as const;

/** What a member typed, kept when the draft is refused, and what the service said is wrong. */
interface Draft {
  values: Record<string, string>;
  errors: { path: string; message: string }[];
}

/**
 * A group's discussions in the portal: the thread list (newest activity first), a thread with
 * its comments and thanks, the forms for group members (new thread, comment, thanks), and for
 * moderators hide / unhide, lock / unlock and delete. Every read and write goes through
 * DiscussionsService with the Actor, so the REST API's rules apply unchanged; the flags passed
 * to the templates only decide which buttons to offer.
 */
@ApiExcludeController()
@Controller('t/:tenant/g/:group/discussions')
export class PortalDiscussionsController {
  constructor(
    private readonly view: PortalView,
    private readonly discussions: DiscussionsService,
    private readonly access: GroupAccess,
  ) {}

  @Public()
  @Get()
  async list(
    @Param('group') group: string,
    @Query('cursor') cursor: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.renderList(await this.view.context(request, response, actor), group, cursor, response);
  }

  /** The new-thread form's target: the thread's page, or the list again with the refused draft (400). */
  @SignedIn()
  @Post()
  async create(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const values = { title: formText(body.title), body: formText(body.body) };
    let thread;
    try {
      thread = await this.discussions.createThread(actor, group, parseForm(createThreadBody, values));
    } catch (error) {
      if (!isValidationProblem(error)) throw error;
      const context = await this.view.context(request, response, actor);
      return this.renderList(context, group, undefined, response, {
        values,
        errors: error.problem.errors ?? [],
      });
    }
    response.redirect(303, threadPath(tenant, thread.group.key, thread.id));
  }

  @Public()
  @Get(':thread')
  async thread(
    @Param('group') group: string,
    @Param('thread') id: string,
    @Query('cursor') cursor: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    await this.renderThread(await this.view.context(request, response, actor), group, id, cursor, response);
  }

  /** The comment form's target: back to the comment, or the thread again with the refused draft (400). */
  @SignedIn()
  @Post(':thread/comments')
  async comment(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('thread') id: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    const values = { body: formText(body.body) };
    let comment;
    try {
      comment = await this.discussions.addComment(actor, group, id, parseForm(commentBody, values));
    } catch (error) {
      if (!isValidationProblem(error)) throw error;
      const context = await this.view.context(request, response, actor);
      return this.renderThread(context, group, id, undefined, response, {
        values,
        errors: error.problem.errors ?? [],
      });
    }
    response.redirect(303, `${threadPath(tenant, group, id)}#comment-${comment.id}`);
  }

  @SignedIn()
  @Post(':thread/thanks')
  async thankThread(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('thread') id: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    const { thanked } = parseForm(thanksForm, { thanked: formText(body.thanked) });
    await this.discussions.setThanks(actor, group, { kind: 'thread', threadId: id }, thanked === 'true');
    response.redirect(303, `${threadPath(tenant, group, id)}#thread`);
  }

  @SignedIn()
  @Post(':thread/comments/:comment/thanks')
  async thankComment(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('thread') id: string,
    @Param('comment') commentId: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    requireId(commentId);
    const { thanked } = parseForm(thanksForm, { thanked: formText(body.thanked) });
    await this.discussions.setThanks(
      actor,
      group,
      { kind: 'comment', threadId: id, commentId },
      thanked === 'true',
    );
    response.redirect(303, `${threadPath(tenant, group, id)}#comment-${commentId}`);
  }

  // Moderation (group admins, tenant admins): DiscussionsService checks and audits.

  @SignedIn()
  @Post(':thread/hide')
  async hide(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('thread') id: string,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    await this.moderateThread(tenant, group, id, response, () =>
      this.discussions.setThreadHidden(actor, group, id, true),
    );
  }

  @SignedIn()
  @Post(':thread/unhide')
  async unhide(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('thread') id: string,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    await this.moderateThread(tenant, group, id, response, () =>
      this.discussions.setThreadHidden(actor, group, id, false),
    );
  }

  @SignedIn()
  @Post(':thread/lock')
  async lock(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('thread') id: string,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    await this.moderateThread(tenant, group, id, response, () =>
      this.discussions.setThreadLocked(actor, group, id, true),
    );
  }

  @SignedIn()
  @Post(':thread/unlock')
  async unlock(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('thread') id: string,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    await this.moderateThread(tenant, group, id, response, () =>
      this.discussions.setThreadLocked(actor, group, id, false),
    );
  }

  /** The author or a moderator deletes the thread (soft: commented threads stay as "deleted"). */
  @SignedIn()
  @Post(':thread/delete')
  async deleteThread(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('thread') id: string,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    await this.discussions.deleteThread(actor, group, id);
    response.redirect(303, listPath(tenant, group));
  }

  @SignedIn()
  @Post(':thread/comments/:comment/hide')
  async hideComment(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('thread') id: string,
    @Param('comment') commentId: string,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    requireId(commentId);
    await this.discussions.setCommentHidden(actor, group, id, commentId, true);
    response.redirect(303, `${threadPath(tenant, group, id)}#comment-${commentId}`);
  }

  @SignedIn()
  @Post(':thread/comments/:comment/unhide')
  async unhideComment(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('thread') id: string,
    @Param('comment') commentId: string,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    requireId(commentId);
    await this.discussions.setCommentHidden(actor, group, id, commentId, false);
    response.redirect(303, `${threadPath(tenant, group, id)}#comment-${commentId}`);
  }

  /**
   * The author or a moderator deletes a comment. `then=list` (sent by the last comment of a
   * deleted thread, which disappears with it) goes back to the list instead of the thread.
   */
  @SignedIn()
  @Post(':thread/comments/:comment/delete')
  async deleteComment(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('thread') id: string,
    @Param('comment') commentId: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Res() response: Response,
  ): Promise<void> {
    requireId(id);
    requireId(commentId);
    await this.discussions.deleteComment(actor, group, id, commentId);
    response.redirect(
      303,
      body.then === 'list' ? listPath(tenant, group) : `${threadPath(tenant, group, id)}#comments`,
    );
  }

  private async moderateThread(
    tenant: string,
    group: string,
    id: string,
    response: Response,
    change: () => Promise<ThreadView>,
  ): Promise<void> {
    requireId(id);
    const thread = await change();
    response.redirect(303, `${threadPath(tenant, thread.group.key, thread.id)}#thread`);
  }

  private async renderList(
    context: PortalContext,
    group: string,
    cursor: unknown,
    response: Response,
    draft?: Draft,
  ): Promise<void> {
    const access = await this.access.require(context.actor, group, MODULE);
    const page = await this.discussions.listThreads(context.actor, group, {
      limit: THREAD_PAGE_SIZE,
      cursor: pageCursor(cursor),
    });
    const visible = context.groups.find((candidate) => candidate.id === access.group.id)!;
    const base = `${context.community.href}/g/${access.group.key}/discussions`;
    this.view.send(
      response,
      context,
      'discussions-list',
      {
        threads: page.items.map((thread) => ({
          ...threadItem(thread),
          href: `${base}/${thread.id}`,
        })),
        olderHref: page.nextCursor ? `${base}?cursor=${encodeURIComponent(page.nextCursor)}` : undefined,
        form: access.canWrite
          ? { action: base, ...formState(FIELDS.thread, draft?.errors), values: draft?.values }
          : undefined,
        hint: hintFor(context, access),
        tabs: groupTabs(context, visible, MODULE),
        groupName: groupHeading(context, visible),
      },
      { titleKey: 'portal.module.discussions', currentGroup: access.group.key, status: draft ? 400 : 200 },
    );
  }

  private async renderThread(
    context: PortalContext,
    group: string,
    id: string,
    cursor: unknown,
    response: Response,
    draft?: Draft,
  ): Promise<void> {
    const access = await this.access.require(context.actor, group, MODULE);
    const thread = await this.discussions.getThread(context.actor, group, id, {
      limit: COMMENT_PAGE_SIZE,
      cursor: commentCursor(cursor),
    });
    const visible = context.groups.find((candidate) => candidate.id === access.group.id)!;
    const base = `${context.community.href}/g/${access.group.key}/discussions`;
    const href = `${base}/${thread.id}`;
    const open = !thread.deleted && (!thread.locked || access.canModerate);
    const lastOfDeleted = thread.deleted && thread.commentCount === 1;
    this.view.send(
      response,
      context,
      'discussions-thread',
      {
        thread: threadItem(thread),
        actions: threadActions(thread, access, href),
        comments: thread.comments.items.map((comment) => ({
          ...commentItem(comment),
          actions: commentActions(comment, thread, access, `${href}/comments/${comment.id}`),
          thenList: lastOfDeleted,
        })),
        laterHref: thread.comments.nextCursor
          ? `${href}?cursor=${encodeURIComponent(thread.comments.nextCursor)}#comments`
          : undefined,
        form:
          access.canWrite && open
            ? {
                action: `${href}/comments`,
                ...formState(FIELDS.comment, draft?.errors),
                values: draft?.values,
                moderatorOnLocked: thread.locked,
              }
            : undefined,
        closedNotice: thread.locked && !thread.deleted && !(access.canWrite && open),
        hint: thread.deleted || thread.locked ? undefined : hintFor(context, access),
        listHref: base,
        tabs: groupTabs(context, visible, MODULE),
        groupName: groupHeading(context, visible),
      },
      {
        titleKey: thread.title ? 'portal.discussions.pageTitle' : 'portal.module.discussions',
        titleParams: thread.title ? { title: thread.title } : undefined,
        currentGroup: access.group.key,
        status: draft ? 400 : 200,
      },
    );
  }
}

/** A thread as the list and its page show it. */
function threadItem(thread: ThreadView | ThreadDetailView) {
  return {
    id: thread.id,
    title: thread.title,
    bodyHtml: thread.bodyHtml,
    authorName: personName(thread.author),
    createdAt: thread.createdAt,
    editedAt: thread.editedAt,
    lastActivityAt: thread.lastActivityAt,
    commentCount: thread.commentCount,
    thanksCount: thread.thanksCount,
    thankedByMe: thread.thankedByMe,
    locked: thread.locked,
    hidden: thread.hidden,
    deleted: thread.deleted,
  };
}

function commentItem(comment: CommentView) {
  return {
    id: comment.id,
    bodyHtml: comment.bodyHtml,
    authorName: personName(comment.author),
    createdAt: comment.createdAt,
    editedAt: comment.editedAt,
    thanksCount: comment.thanksCount,
    thankedByMe: comment.thankedByMe,
    hidden: comment.hidden,
    /** Hidden, and this reader is no moderator: a placeholder instead of the text. */
    placeholder: comment.hidden && comment.bodyHtml === null,
  };
}

/** The buttons a thread offers this reader (DiscussionsService still decides). */
function threadActions(thread: ThreadDetailView, access: GroupAccessContext, href: string) {
  const alive = !thread.deleted;
  return {
    thanks: alive && access.canWrite && !thread.mine ? `${href}/thanks` : undefined,
    hide: alive && access.canModerate && !thread.hidden ? `${href}/hide` : undefined,
    unhide: alive && access.canModerate && thread.hidden ? `${href}/unhide` : undefined,
    lock: alive && access.canModerate && !thread.locked ? `${href}/lock` : undefined,
    unlock: alive && access.canModerate && thread.locked ? `${href}/unlock` : undefined,
    delete: alive && (thread.mine || access.canModerate) ? `${href}/delete` : undefined,
    moderate: alive && access.canModerate,
  };
}

/** The buttons a comment offers this reader: thanks, and hide / unhide and delete as allowed. */
function commentActions(
  comment: CommentView,
  thread: ThreadDetailView,
  access: GroupAccessContext,
  href: string,
) {
  const readable = !comment.hidden || access.canModerate;
  return {
    thanks:
      !thread.deleted && access.canWrite && !comment.mine && !comment.hidden ? `${href}/thanks` : undefined,
    hide: !thread.deleted && access.canModerate && !comment.hidden ? `${href}/hide` : undefined,
    unhide: !thread.deleted && access.canModerate && comment.hidden ? `${href}/unhide` : undefined,
    delete: readable && (comment.mine || access.canModerate) ? `${href}/delete` : undefined,
  };
}

/** Why there is no form: sign in, or only the group's members take part. */
function hintFor(context: PortalContext, access: GroupAccessContext): 'signIn' | 'membersOnly' | undefined {
  if (!context.actor.person) return 'signIn';
  return access.canWrite ? undefined : 'membersOnly';
}

function personName(person: MemberReference | null): string {
  return person ? `${person.givenName} ${person.familyName}`.trim() : '';
}

function listPath(tenant: string, group: string): string {
  return `/t/${encodeURIComponent(tenant)}/g/${encodeURIComponent(group.toLowerCase())}/discussions`;
}

function threadPath(tenant: string, group: string, id: string): string {
  return `${listPath(tenant, group)}/${id}`;
}

function requireId(id: string): void {
  if (!idParam.safeParse(id).success) throw ProblemException.notFound('No such thread or comment.');
}

function pageCursor(cursor: unknown): string | undefined {
  return typeof cursor === 'string' && cursor.length > 0 && cursor.length <= 500 ? cursor : undefined;
}

/** A comment cursor is (createdAt, id); a forged one is a 400, not a database error. */
function commentCursor(cursor: unknown): string | undefined {
  const value = pageCursor(cursor);
  if (value === undefined) return undefined;
  const [at, id] = decodeCursor(value, 2);
  if (typeof at !== 'string' || Number.isNaN(new Date(at).getTime()) || !idParam.safeParse(id).success) {
    throw ProblemException.validation([{ path: 'cursor', message: 'not a cursor of this thread' }]);
  }
  return value;
}
