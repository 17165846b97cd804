import { NewsCommentSchema } from './news-comment.entity';
import { NewsPostSchema } from './news-post.entity';

/** Every entity of the news module, for ALL_ENTITIES (libs/entities). */
export const NEWS_ENTITIES = [NewsPostSchema, NewsCommentSchema];
