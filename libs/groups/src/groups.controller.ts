import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@allmende/auth';
import { GroupsService } from './groups.service';
import type { LocalizedText } from './group.entity';

export interface GroupSummary {
  id: string;
  key: string;
  name: LocalizedText;
  description: LocalizedText | null;
  visibility: string;
  joinPolicy: string;
}

/** Runs inside the tenant scope opened by the API's tenant middleware. */
@ApiTags('groups')
@Controller('api/tenants/:tenant/groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: "The tenant's public groups (readable without signing in)" })
  async list(): Promise<GroupSummary[]> {
    const groups = await this.groups.listPublic();
    return groups.map((group) => ({
      id: group.id,
      key: group.key,
      name: group.name,
      description: group.description ?? null,
      visibility: group.visibility,
      joinPolicy: group.joinPolicy,
    }));
  }
}
