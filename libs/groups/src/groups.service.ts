import { Injectable } from '@nestjs/common';
import { TenantScope } from '@allmende/db';
import { GroupSchema, type Group } from './group.entity';

@Injectable()
export class GroupsService {
  constructor(private readonly scope: TenantScope) {}

  /** Groups anyone may see without signing in, in the current tenant. */
  async listPublic(): Promise<Group[]> {
    return this.scope
      .em()
      .find(GroupSchema, { visibility: 'public' }, { orderBy: { position: 'asc', key: 'asc' } });
  }
}
