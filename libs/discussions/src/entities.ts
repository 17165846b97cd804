import { DiscussionCommentSchema } from './discussion-comment.entity';
import { DiscussionThanksSchema } from './discussion-thanks.entity';
import { DiscussionThreadSchema } from './discussion-thread.entity';

/** Every entity of the discussions module, for ALL_ENTITIES (libs/entities). */
export const DISCUSSIONS_ENTITIES = [DiscussionThreadSchema, DiscussionCommentSchema, DiscussionThanksSchema];
