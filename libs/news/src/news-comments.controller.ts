import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentActor, Public, SignedIn, type Actor } from '@allmende/auth';
import { apiSchema, type Page } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import {
  commentId,
  commentListQuery,
  createCommentBody,
  newsCommentPage,
  newsCommentView,
  type CommentListQuery,
  type CreateCommentBody,
  type NewsCommentView,
} from './news-comments.schemas';
import { NewsCommentsService } from './news-comments.service';
import { postId } from './news.schemas';

/** Comments on a post. Who may read, write and moderate is decided in NewsCommentsService. */
@ApiTags('news')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/groups/:group/news/posts/:post/comments')
export class NewsCommentsController {
  constructor(private readonly comments: NewsCommentsService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: "A post's comments, oldest first (hidden ones: moderators and their authors)" })
  @ApiOkResponse({ schema: apiSchema(newsCommentPage) })
  list(
    @Param('group') group: string,
    @Param('post', new ZodValidationPipe(postId)) post: string,
    @Query(new ZodValidationPipe(commentListQuery)) query: CommentListQuery,
    @CurrentActor() actor: Actor,
  ): Promise<Page<NewsCommentView>> {
    return this.comments.list(actor, group, post, query);
  }

  @SignedIn()
  @Post()
  @ApiOperation({ summary: 'Comment on a post (members of the community, where the group allows comments)' })
  @ApiBody({ schema: apiSchema(createCommentBody) })
  @ApiCreatedResponse({ schema: apiSchema(newsCommentView) })
  add(
    @Param('group') group: string,
    @Param('post', new ZodValidationPipe(postId)) post: string,
    @Body(new ZodValidationPipe(createCommentBody)) body: CreateCommentBody,
    @CurrentActor() actor: Actor,
  ): Promise<NewsCommentView> {
    return this.comments.add(actor, group, post, body);
  }

  @SignedIn()
  @Post(':comment/hide')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hide a comment (group admins; audited)' })
  @ApiOkResponse({ schema: apiSchema(newsCommentView) })
  hide(
    @Param('group') group: string,
    @Param('post', new ZodValidationPipe(postId)) post: string,
    @Param('comment', new ZodValidationPipe(commentId)) comment: string,
    @CurrentActor() actor: Actor,
  ): Promise<NewsCommentView> {
    return this.comments.setHidden(actor, group, post, comment, true);
  }

  @SignedIn()
  @Post(':comment/unhide')
  @HttpCode(200)
  @ApiOperation({ summary: 'Show a hidden comment again (group admins; audited)' })
  @ApiOkResponse({ schema: apiSchema(newsCommentView) })
  unhide(
    @Param('group') group: string,
    @Param('post', new ZodValidationPipe(postId)) post: string,
    @Param('comment', new ZodValidationPipe(commentId)) comment: string,
    @CurrentActor() actor: Actor,
  ): Promise<NewsCommentView> {
    return this.comments.setHidden(actor, group, post, comment, false);
  }

  @SignedIn()
  @Delete(':comment')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a comment (its author or group admins)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(
    @Param('group') group: string,
    @Param('post', new ZodValidationPipe(postId)) post: string,
    @Param('comment', new ZodValidationPipe(commentId)) comment: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.comments.remove(actor, group, post, comment);
  }
}
