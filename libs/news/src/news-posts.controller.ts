import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
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
import { apiSchema, withEtag, type Page } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import {
  createPostBody,
  newsPostPage,
  newsPostView,
  postId,
  postListQuery,
  resolvePostBody,
  updatePostBody,
  type CreatePostBody,
  type NewsPostView,
  type PostListQuery,
  type ResolvePostBody,
  type UpdatePostBody,
} from './news.schemas';
import { NewsService } from './news.service';

/**
 * A group's news. Reads are public at the route level and writes need a login: the group's
 * visibility and roles are decided in one place (GroupAccess, through NewsService).
 */
@ApiTags('news')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/groups/:group/news/posts')
export class NewsPostsController {
  constructor(private readonly news: NewsService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: "The group's posts: pinned first, then newest (ETag)" })
  @ApiOkResponse({ schema: apiSchema(newsPostPage) })
  async list(
    @Param('group') group: string,
    @Query(new ZodValidationPipe(postListQuery)) query: PostListQuery,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Page<NewsPostView> | undefined> {
    return withEtag(request, response, await this.news.list(actor, group, query));
  }

  @Public()
  @Get(':post')
  @ApiOperation({ summary: 'One post' })
  @ApiOkResponse({ schema: apiSchema(newsPostView) })
  async get(
    @Param('group') group: string,
    @Param('post', new ZodValidationPipe(postId)) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<NewsPostView> {
    return this.news.get(actor, group, id);
  }

  @SignedIn()
  @Post()
  @ApiOperation({
    summary:
      'Post news (group members; urgent and pinned: group admins, urgent only where the template allows)',
  })
  @ApiBody({ schema: apiSchema(createPostBody) })
  @ApiCreatedResponse({ schema: apiSchema(newsPostView) })
  async create(
    @Param('group') group: string,
    @Body(new ZodValidationPipe(createPostBody)) body: CreatePostBody,
    @CurrentActor() actor: Actor,
  ): Promise<NewsPostView> {
    return this.news.create(actor, group, body);
  }

  @SignedIn()
  @Patch(':post')
  @ApiOperation({ summary: 'Edit a post (its author or group admins; pin and unpin: group admins)' })
  @ApiBody({ schema: apiSchema(updatePostBody) })
  @ApiOkResponse({ schema: apiSchema(newsPostView) })
  async update(
    @Param('group') group: string,
    @Param('post', new ZodValidationPipe(postId)) id: string,
    @Body(new ZodValidationPipe(updatePostBody)) body: UpdatePostBody,
    @CurrentActor() actor: Actor,
  ): Promise<NewsPostView> {
    return this.news.update(actor, group, id, body);
  }

  @SignedIn()
  @Delete(':post')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a post (its author or group admins)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(
    @Param('group') group: string,
    @Param('post', new ZodValidationPipe(postId)) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.news.remove(actor, group, id);
  }

  @SignedIn()
  @Post(':post/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Call off an urgent alert with a follow-up ("Entwarnung"; group admins)' })
  @ApiBody({ schema: apiSchema(resolvePostBody) })
  @ApiOkResponse({ schema: apiSchema(newsPostView) })
  async resolve(
    @Param('group') group: string,
    @Param('post', new ZodValidationPipe(postId)) id: string,
    @Body(new ZodValidationPipe(resolvePostBody)) body: ResolvePostBody,
    @CurrentActor() actor: Actor,
  ): Promise<NewsPostView> {
    return this.news.resolve(actor, group, id, body);
  }
}
