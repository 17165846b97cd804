import { Module } from '@nestjs/common';
import { NewsCommentsController } from './news-comments.controller';
import { NewsCommentsService } from './news-comments.service';
import { NewsFeedController } from './news-feed.controller';
import { NewsPostsController } from './news-posts.controller';
import { NewsService } from './news.service';

/** The news group module: posts, comments, urgent alerts, the tenant-wide feed. */
@Module({
  controllers: [NewsPostsController, NewsCommentsController, NewsFeedController],
  providers: [NewsService, NewsCommentsService],
  exports: [NewsService, NewsCommentsService],
})
export class NewsModule {}
