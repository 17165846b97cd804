export * from './entities';
export * from './poll.entity';
export * from './poll-option.entity';
export * from './poll-answer.entity';
export * from './poll-views';
export * from './polls.service';
export * from './polls.module';
