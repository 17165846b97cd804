import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { apiSchema, pageQuery, withEtag, type Page, type PageQuery } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import {
  commentBody,
  commentView,
  createThreadBody,
  editThreadBody,
  idParam,
  thanksView,
  threadDetailView,
  threadPage,
  threadView,
  type CommentInput,
  type CommentView,
  type CreateThreadInput,
  type EditThreadInput,
  type ThanksView,
  type ThreadDetailView,
  type ThreadView,
} from './discussion-views';
import { DiscussionsService } from './discussions.service';

const id = new ZodValidationPipe(idParam);

/**
 * The discussions of one group. Reads are `@Public()` and writes `@SignedIn()`: the module's
 * rules (visibility, membership, moderation) are applied in one place, GroupAccess.
 */
@ApiTags('discussions')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/groups/:group/discussions/threads')
export class GroupDiscussionsController {
  constructor(private readonly discussions: DiscussionsService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Threads of the group, most recent activity first (ETag)' })
  @ApiOkResponse({ schema: apiSchema(threadPage) })
  async list(
    @Param('group') group: string,
    @Query(new ZodValidationPipe(pageQuery)) query: PageQuery,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Page<ThreadView> | undefined> {
    return withEtag(request, response, await this.discussions.listThreads(actor, group, query));
  }

  @SignedIn()
  @Post()
  @ApiOperation({ summary: 'Start a thread (members of the group)' })
  @ApiBody({ schema: apiSchema(createThreadBody) })
  @ApiCreatedResponse({ schema: apiSchema(threadView) })
  async create(
    @Param('group') group: string,
    @Body(new ZodValidationPipe(createThreadBody)) body: CreateThreadInput,
    @CurrentActor() actor: Actor,
  ): Promise<ThreadView> {
    return this.discussions.createThread(actor, group, body);
  }

  @Public()
  @Get(':thread')
  @ApiOperation({ summary: 'A thread with a page of its comments, oldest first (ETag)' })
  @ApiOkResponse({ schema: apiSchema(threadDetailView) })
  async get(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @Query(new ZodValidationPipe(pageQuery)) query: PageQuery,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ThreadDetailView | undefined> {
    return withEtag(request, response, await this.discussions.getThread(actor, group, thread, query));
  }

  @SignedIn()
  @Patch(':thread')
  @ApiOperation({ summary: 'Edit a thread (its author; moderators: audited)' })
  @ApiBody({ schema: apiSchema(editThreadBody) })
  @ApiOkResponse({ schema: apiSchema(threadView) })
  async edit(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @Body(new ZodValidationPipe(editThreadBody)) body: EditThreadInput,
    @CurrentActor() actor: Actor,
  ): Promise<ThreadView> {
    return this.discussions.editThread(actor, group, thread, body);
  }

  @SignedIn()
  @Delete(':thread')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a thread (its author; moderators: audited); comments keep it as "deleted"',
  })
  @ApiNoContentResponse()
  async remove(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.discussions.deleteThread(actor, group, thread);
  }

  @SignedIn()
  @Post(':thread/comments')
  @ApiOperation({ summary: 'Comment on a thread (members of the group; 409 when locked)' })
  @ApiBody({ schema: apiSchema(commentBody) })
  @ApiCreatedResponse({ schema: apiSchema(commentView) })
  async comment(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @Body(new ZodValidationPipe(commentBody)) body: CommentInput,
    @CurrentActor() actor: Actor,
  ): Promise<CommentView> {
    return this.discussions.addComment(actor, group, thread, body);
  }

  @SignedIn()
  @Patch(':thread/comments/:comment')
  @ApiOperation({ summary: 'Edit a comment (its author; moderators: audited)' })
  @ApiBody({ schema: apiSchema(commentBody) })
  @ApiOkResponse({ schema: apiSchema(commentView) })
  async editComment(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @Param('comment', id) comment: string,
    @Body(new ZodValidationPipe(commentBody)) body: CommentInput,
    @CurrentActor() actor: Actor,
  ): Promise<CommentView> {
    return this.discussions.editComment(actor, group, thread, comment, body);
  }

  @SignedIn()
  @Delete(':thread/comments/:comment')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a comment (its author; moderators: audited)' })
  @ApiNoContentResponse()
  async removeComment(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @Param('comment', id) comment: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.discussions.deleteComment(actor, group, thread, comment);
  }

  @SignedIn()
  @Put(':thread/thanks')
  @ApiOperation({ summary: 'Thank for a thread (idempotent; not your own)' })
  @ApiOkResponse({ schema: apiSchema(thanksView) })
  async thankThread(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @CurrentActor() actor: Actor,
  ): Promise<ThanksView> {
    return this.discussions.setThanks(actor, group, { kind: 'thread', threadId: thread }, true);
  }

  @SignedIn()
  @Delete(':thread/thanks')
  @ApiOperation({ summary: 'Take back the thanks for a thread (idempotent)' })
  @ApiOkResponse({ schema: apiSchema(thanksView) })
  async unthankThread(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @CurrentActor() actor: Actor,
  ): Promise<ThanksView> {
    return this.discussions.setThanks(actor, group, { kind: 'thread', threadId: thread }, false);
  }

  @SignedIn()
  @Put(':thread/comments/:comment/thanks')
  @ApiOperation({ summary: 'Thank for a comment (idempotent; not your own)' })
  @ApiOkResponse({ schema: apiSchema(thanksView) })
  async thankComment(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @Param('comment', id) comment: string,
    @CurrentActor() actor: Actor,
  ): Promise<ThanksView> {
    return this.discussions.setThanks(
      actor,
      group,
      { kind: 'comment', threadId: thread, commentId: comment },
      true,
    );
  }

  @SignedIn()
  @Delete(':thread/comments/:comment/thanks')
  @ApiOperation({ summary: 'Take back the thanks for a comment (idempotent)' })
  @ApiOkResponse({ schema: apiSchema(thanksView) })
  async unthankComment(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @Param('comment', id) comment: string,
    @CurrentActor() actor: Actor,
  ): Promise<ThanksView> {
    return this.discussions.setThanks(
      actor,
      group,
      { kind: 'comment', threadId: thread, commentId: comment },
      false,
    );
  }

  // Moderation (group admins, tenant admins); every change is audited.

  @SignedIn()
  @Post(':thread/hide')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hide a thread (moderators; audited)' })
  @ApiOkResponse({ schema: apiSchema(threadView) })
  async hide(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @CurrentActor() actor: Actor,
  ): Promise<ThreadView> {
    return this.discussions.setThreadHidden(actor, group, thread, true);
  }

  @SignedIn()
  @Post(':thread/unhide')
  @HttpCode(200)
  @ApiOperation({ summary: 'Show a hidden thread again (moderators; audited)' })
  @ApiOkResponse({ schema: apiSchema(threadView) })
  async unhide(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @CurrentActor() actor: Actor,
  ): Promise<ThreadView> {
    return this.discussions.setThreadHidden(actor, group, thread, false);
  }

  @SignedIn()
  @Post(':thread/lock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lock a thread: no more comments (moderators; audited)' })
  @ApiOkResponse({ schema: apiSchema(threadView) })
  async lock(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @CurrentActor() actor: Actor,
  ): Promise<ThreadView> {
    return this.discussions.setThreadLocked(actor, group, thread, true);
  }

  @SignedIn()
  @Post(':thread/unlock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unlock a thread (moderators; audited)' })
  @ApiOkResponse({ schema: apiSchema(threadView) })
  async unlock(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @CurrentActor() actor: Actor,
  ): Promise<ThreadView> {
    return this.discussions.setThreadLocked(actor, group, thread, false);
  }

  @SignedIn()
  @Post(':thread/comments/:comment/hide')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hide a comment (moderators; audited)' })
  @ApiOkResponse({ schema: apiSchema(commentView) })
  async hideComment(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @Param('comment', id) comment: string,
    @CurrentActor() actor: Actor,
  ): Promise<CommentView> {
    return this.discussions.setCommentHidden(actor, group, thread, comment, true);
  }

  @SignedIn()
  @Post(':thread/comments/:comment/unhide')
  @HttpCode(200)
  @ApiOperation({ summary: 'Show a hidden comment again (moderators; audited)' })
  @ApiOkResponse({ schema: apiSchema(commentView) })
  async unhideComment(
    @Param('group') group: string,
    @Param('thread', id) thread: string,
    @Param('comment', id) comment: string,
    @CurrentActor() actor: Actor,
  ): Promise<CommentView> {
    return this.discussions.setCommentHidden(actor, group, thread, comment, false);
  }
}
