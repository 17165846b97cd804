import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Public } from '@allmende/auth';
import { apiSchema } from '@allmende/core';
import { GroupsService } from './groups.service';
import type { LocalizedText } from './group.entity';

const localizedText = z.object({ de: z.string(), en: z.string().optional() });
const groupSummary = z.object({
  id: z.uuid(),
  key: z.string(),
  name: localizedText,
  description: localizedText.nullable(),
  visibility: z.enum(['public', 'members', 'private']),
  joinPolicy: z.enum(['open', 'request', 'invite']),
});

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
  @ApiOkResponse({ schema: apiSchema(z.array(groupSummary)) })
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
