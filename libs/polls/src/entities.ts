import { PollAnswerSchema } from './poll-answer.entity';
import { PollOptionSchema } from './poll-option.entity';
import { PollSchema } from './poll.entity';

/** Every entity of the polls module, for ALL_ENTITIES (libs/entities). */
export const POLLS_ENTITIES = [PollSchema, PollOptionSchema, PollAnswerSchema];
