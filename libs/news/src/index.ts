export * from './entities';
export * from './news-post.entity';
export * from './news.schemas';
export * from './news-settings';
export * from './news.service';
export * from './news.module';
