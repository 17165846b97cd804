export * from './user.entity';
export * from './member.entity';
export * from './members.service';
export * from './members.controller';
export * from './members.module';
export * from './member-reference';
