import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { GroupAccess, type GroupAccessContext } from '@allmende/content';
import { ProblemException } from '@allmende/core';
import {
  commentId,
  createCommentBody,
  createPostBody,
  mayComment,
  NewsCommentsService,
  newsSettings,
  NewsService,
  postId,
  resolvePostBody,
} from '@allmende/news';
import { groupHeading, groupTabs } from './portal-group-tabs';
import { newsItem } from './portal-news-items';
import { PortalView, type PortalContext } from './portal-view';
import { type FormBody, formState, formText, isValidationProblem, parseForm } from './portal-forms';

const NEWS_PAGE_SIZE = 20;
/** Comments shown at once under a post; more behind a link. */
const COMMENTS_PAGE_SIZE = 100;

/** The forms' fields: their ids on the page, labels and the catalogue's message for a refused value. */
const FIELDS = {
  post: {
    title: { id: 'news-title', labelKey: 'portal.news.fieldTitle', errorKey: 'portal.news.errors.title' },
    body: { id: 'news-body', labelKey: 'portal.news.fieldBody', errorKey: 'portal.news.errors.body' },
    category: {
      id: 'news-category',
      labelKey: 'portal.news.fieldCategory',
      errorKey: 'portal.news.errors.category',
    },
    urgency: {
      id: 'news-urgency-normal',
      labelKey: 'portal.news.fieldUrgency',
      errorKey: 'portal.news.errors.urgency',
    },
  },
  resolve: {
    followUp: {
      id: 'resolve-follow-up',
      labelKey: 'portal.news.fieldFollowUp',
      errorKey: 'portal.news.errors.followUp',
    },
  },
  comment: {
    body: {
      id: 'comment-body',
      labelKey: 'portal.news.comments.field',
      errorKey: 'portal.news.errors.comment',
    },
  },
} as const;

/** What a member typed into the writing form, kept when the draft is refused. */
interface DraftValues {
  title: string;
  body: string;
  category: string;
  urgency: string;
  pinned: boolean;
}

/** A refused draft: the values and the service's field errors. */
interface Draft {
  values: DraftValues;
  errors: { path: string; message: string }[];
}

/** A refused comment, shown again under the post. */
interface CommentDraft {
  values: { body: string };
  errors: { path: string; message: string }[];
}

/** A refused form on the post page: the comment, or the admin's "Entwarnung". */
type PostDraft =
  | ({ form: 'comment' } & CommentDraft)
  | { form: 'resolve'; values: { followUp: string }; errors: CommentDraft['errors'] };

/**
 * A group's news in the portal: the list (the group's start page when it has news), the
 * post page, and for members the writing form and for admins "resolve alert". Every read
 * and write goes through NewsService, so the REST API's rules apply unchanged.
 */
@ApiExcludeController()
@Controller('t/:tenant/g/:group')
export class PortalNewsController {
  constructor(
    private readonly view: PortalView,
    private readonly news: NewsService,
    private readonly comments: NewsCommentsService,
    private readonly access: GroupAccess,
  ) {}

  @Public()
  @Get()
  async groupHome(
    @Param('group') group: string,
    @Query('cursor') cursor: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const context = await this.view.context(request, response, actor);
    const visible = context.groups.find((candidate) => candidate.key === group.toLowerCase());
    if (!visible) throw ProblemException.notFound(`No group "${group}".`);
    if (!visible.modules.includes('news')) {
      // No news: the group's first module is its start page.
      const first = visible.modules[0];
      if (first) return response.redirect(303, `${context.community.href}/g/${visible.key}/${first}`);
      return this.view.send(
        response,
        context,
        'placeholder',
        { tabs: groupTabs(context, visible, undefined), groupName: groupHeading(context, visible) },
        { titleKey: 'portal.placeholder.title', currentGroup: visible.key },
      );
    }
    await this.list(context, group, cursor, response);
  }

  @Public()
  @Get('news')
  async newsList(
    @Param('group') group: string,
    @Query('cursor') cursor: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.list(await this.view.context(request, response, actor), group, cursor, response);
  }

  @Public()
  @Get('news/:post')
  async post(
    @Param('group') group: string,
    @Param('post') id: string,
    @Query('comments') commentsCursor: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!postId.safeParse(id).success) throw ProblemException.notFound('No such post.');
    const context = await this.view.context(request, response, actor);
    await this.renderPost(context, group, id, boundedCursor(commentsCursor), response);
  }

  /** The comment form's target: the comment, then the post at the new comment. */
  @SignedIn()
  @Post('news/:post/comments')
  async comment(
    @Param('group') group: string,
    @Param('post') id: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!postId.safeParse(id).success) throw ProblemException.notFound('No such post.');
    const values = { body: formText(body.body) };
    let comment;
    try {
      comment = await this.comments.add(actor, group, id, parseForm(createCommentBody, values));
    } catch (error) {
      if (!isValidationProblem(error)) throw error;
      const context = await this.view.context(request, response, actor);
      return this.renderPost(context, group, id, undefined, response, {
        form: 'comment',
        values,
        errors: error.problem.errors ?? [],
      });
    }
    response.redirect(303, `${postPath(request, group, id)}#comment-${comment.id}`);
  }

  /** Moderators hide a comment or show it again; authors and moderators delete one. */
  @SignedIn()
  @Post('news/:post/comments/:comment/:action')
  async moderateComment(
    @Param('group') group: string,
    @Param('post') id: string,
    @Param('comment') commentKey: string,
    @Param('action') action: string,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!postId.safeParse(id).success || !commentId.safeParse(commentKey).success)
      throw ProblemException.notFound('No such comment.');
    if (action === 'hide' || action === 'unhide')
      await this.comments.setHidden(actor, group, id, commentKey, action === 'hide');
    else if (action === 'delete') await this.comments.remove(actor, group, id, commentKey);
    else throw ProblemException.notFound('No such action.');
    response.redirect(303, `${postPath(request, group, id)}#comments`);
  }

  /** The writing form's target: a member's post, then its page. */
  @SignedIn()
  @Post('news')
  async create(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const values: DraftValues = {
      title: formText(body.title),
      body: formText(body.body),
      category: formText(body.category),
      urgency: formText(body.urgency) || 'normal',
      pinned: body.pinned === 'on',
    };
    let post;
    try {
      post = await this.news.create(actor, group, parseForm(createPostBody, values));
    } catch (error) {
      // A refused draft: the form again, with what was typed and what is wrong (400).
      if (!isValidationProblem(error)) throw error;
      const context = await this.view.context(request, response, actor);
      return this.list(context, group, undefined, response, { values, errors: error.problem.errors ?? [] });
    }
    response.redirect(
      303,
      `/t/${encodeURIComponent(tenant)}/g/${encodeURIComponent(post.group)}/news/${post.id}`,
    );
  }

  /** "Entwarnung": an admin resolves an urgent alert with a follow-up. */
  @SignedIn()
  @Post('news/:post/resolve')
  async resolve(
    @Param('tenant') tenant: string,
    @Param('group') group: string,
    @Param('post') id: string,
    @Body() body: FormBody,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!postId.safeParse(id).success) throw ProblemException.notFound('No such post.');
    const values = { followUp: formText(body.followUp) };
    let post;
    try {
      post = await this.news.resolve(actor, group, id, parseForm(resolvePostBody, values));
    } catch (error) {
      // A refused follow-up: the post again with what was typed and what is wrong (400).
      if (!isValidationProblem(error)) throw error;
      const context = await this.view.context(request, response, actor);
      return this.renderPost(context, group, id, undefined, response, {
        form: 'resolve',
        values,
        errors: error.problem.errors ?? [],
      });
    }
    response.redirect(
      303,
      `/t/${encodeURIComponent(tenant)}/g/${encodeURIComponent(post.group)}/news/${post.id}`,
    );
  }

  /** The post page: the post, its comments (a page at a time), and the forms the reader may use. */
  private async renderPost(
    context: PortalContext,
    group: string,
    id: string,
    commentsCursor: string | undefined,
    response: Response,
    draft?: PostDraft,
  ): Promise<void> {
    const { actor } = context;
    // The post once: its view, and the comments of it.
    const found = await this.news.postInGroup(actor, group, id);
    const { access, settings, view: post } = found;
    const comments = await this.comments.listOf(actor, found, {
      limit: COMMENTS_PAGE_SIZE,
      cursor: commentsCursor,
    });
    const item = newsItem(post, context.community.href, context.locale);
    const visible = context.groups.find((candidate) => candidate.id === access.group.id)!;
    const postHref = `${context.community.href}/g/${access.group.key}/news/${post.id}`;
    const memberId = actor.membership?.memberId;
    this.view.send(
      response,
      context,
      'news-post',
      {
        post: item,
        tabs: groupTabs(context, visible, 'news'),
        groupName: groupHeading(context, visible),
        listHref: `${context.community.href}/g/${access.group.key}/news`,
        resolveAction: access.canModerate && item.activeAlert ? `${postHref}/resolve` : undefined,
        resolveForm:
          access.canModerate && item.activeAlert
            ? {
                values: draft?.form === 'resolve' ? draft.values : undefined,
                ...formState(FIELDS.resolve, draft?.form === 'resolve' ? draft.errors : undefined),
              }
            : undefined,
        comments: {
          enabled: settings.comments,
          items: comments.items.map((comment) => ({
            ...comment,
            action: `${postHref}/comments/${comment.id}`,
            mayHide: access.canModerate,
            mayDelete: access.canModerate || comment.author.memberId === memberId,
          })),
          moreHref: comments.nextCursor
            ? `${postHref}?comments=${encodeURIComponent(comments.nextCursor)}#comments`
            : undefined,
          form: mayComment(actor, settings)
            ? {
                action: `${postHref}/comments`,
                values: draft?.form === 'comment' ? draft.values : undefined,
                ...formState(FIELDS.comment, draft?.form === 'comment' ? draft.errors : undefined),
              }
            : undefined,
          signInToComment: !actor.person && settings.comments,
        },
      },
      { titleKey: 'portal.module.news', currentGroup: access.group.key, status: draft ? 400 : 200 },
    );
  }

  private async list(
    context: PortalContext,
    group: string,
    cursor: unknown,
    response: Response,
    draft?: Draft,
  ): Promise<void> {
    const access = await this.access.require(context.actor, group, 'news');
    const page = await this.news.list(context.actor, group, {
      limit: NEWS_PAGE_SIZE,
      cursor: boundedCursor(cursor),
    });
    const visible = context.groups.find((candidate) => candidate.id === access.group.id)!;
    const base = `${context.community.href}/g/${access.group.key}/news`;
    this.view.send(
      response,
      context,
      'news-list',
      {
        posts: page.items.map((post) => newsItem(post, context.community.href, context.locale)),
        olderHref: page.nextCursor ? `${base}?cursor=${encodeURIComponent(page.nextCursor)}` : undefined,
        tabs: groupTabs(context, visible, 'news'),
        groupName: groupHeading(context, visible),
        form: access.canWrite ? writeForm(context, access, base, draft) : undefined,
      },
      { titleKey: 'portal.module.news', currentGroup: access.group.key, status: draft ? 400 : 200 },
    );
  }
}

/** What the writing form offers this member: categories, and urgency and pinning for admins. */
function writeForm(context: PortalContext, access: GroupAccessContext, action: string, draft?: Draft) {
  const settings = newsSettings(access.module);
  const values = draft?.values;
  const urgency = values?.urgency ?? 'normal';
  return {
    action,
    values,
    ...formState(FIELDS.post, draft?.errors),
    urgency: {
      normal: urgency === 'normal',
      important: urgency === 'important',
      urgent: urgency === 'urgent',
    },
    categories: settings.categories.map((category) => ({
      key: category.key,
      name: (context.locale === 'en' && category.name.en) || category.name.de,
      selected: category.key === values?.category,
    })),
    mayPin: access.canModerate,
    mayPostUrgent: access.canModerate && settings.urgentAlerts,
  };
}

/** `/t/<slug>/g/<group>/news/<id>`: where a form on the post page returns to. */
function postPath(request: Request, group: string, id: string): string {
  return `/t/${encodeURIComponent(request.tenant!.slug)}/g/${encodeURIComponent(group.toLowerCase())}/news/${id}`;
}

/** A cursor from the query string, if it looks like one (the service checks it properly). */
function boundedCursor(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 500 ? value : undefined;
}
