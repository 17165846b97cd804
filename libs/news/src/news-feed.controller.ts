import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Public, type Actor } from '@allmende/auth';
import { apiSchema, pageQuery, withEtag, type Page, type PageQuery } from '@allmende/content';
import { ZodValidationPipe } from '@allmende/core';
import { newsAlertList, newsPostPage, type NewsPostView } from './news.schemas';
import { NewsService } from './news.service';

/** The tenant's news across groups: what the caller may read (anonymous: public groups). */
@ApiTags('news')
@ApiBearerAuth()
@Controller('api/tenants/:tenant/news')
export class NewsFeedController {
  constructor(private readonly news: NewsService) {}

  @Public()
  @Get('feed')
  @ApiOperation({
    summary: 'Published, unexpired posts of every readable group: active alerts, pinned, newest (ETag)',
  })
  @ApiOkResponse({ schema: apiSchema(newsPostPage) })
  async feed(
    @Query(new ZodValidationPipe(pageQuery)) query: PageQuery,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Page<NewsPostView> | undefined> {
    return withEtag(request, response, await this.news.feed(actor, query));
  }

  @Public()
  @Get('alerts')
  @ApiOperation({ summary: 'Active urgent alerts, for the portal banner (ETag)' })
  @ApiOkResponse({ schema: apiSchema(newsAlertList) })
  async alerts(
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ items: NewsPostView[] } | undefined> {
    return withEtag(request, response, { items: await this.news.alerts(actor) });
  }
}
