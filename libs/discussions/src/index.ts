export * from './entities';
export * from './discussion-thread.entity';
export * from './discussion-comment.entity';
export * from './discussion-thanks.entity';
export * from './discussion-views';
export * from './discussions.service';
export * from './discussions.module';
export * from './hidden-discussions';
