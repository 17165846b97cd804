import { Module } from '@nestjs/common';
import { GroupJoiningController } from './group-joining.controller';
import { GroupJoiningService } from './group-joining.service';
import { GroupsController } from './groups.controller';
import { GroupsService } from './groups.service';

@Module({
  controllers: [GroupsController, GroupJoiningController],
  providers: [GroupsService, GroupJoiningService],
  exports: [GroupsService, GroupJoiningService],
})
export class GroupsModule {}
