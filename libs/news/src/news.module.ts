import { Module } from '@nestjs/common';
import { NewsFeedController } from './news-feed.controller';
import { NewsPostsController } from './news-posts.controller';
import { NewsService } from './news.service';

/** The news group module: posts, urgent alerts, the tenant-wide feed. */
@Module({ controllers: [NewsPostsController, NewsFeedController], providers: [NewsService] })
export class NewsModule {}
