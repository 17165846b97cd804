export * from './user.entity';
export * from './member.entity';
