export * from './group.entity';
export * from './group-member.entity';
export * from './group-module.entity';
export * from './groups.service';
export * from './groups.controller';
export * from './groups.module';
