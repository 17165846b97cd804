import { Injectable } from '@nestjs/common';
import { TenantScope } from '@allmende/db';
import { MemberSchema, type Member } from './member.entity';

export interface MemberPage {
  items: Member[];
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
}

/** The members of the current tenant (the scope's row-level security applies). */
@Injectable()
export class MembersService {
  constructor(private readonly scope: TenantScope) {}

  /** A page of members by e-mail (unique in a tenant, so the order is stable), after `after`. */
  async list(limit: number, after?: string): Promise<MemberPage> {
    const items = await this.scope.em().find(MemberSchema, after ? { email: { $gt: after } } : {}, {
      orderBy: { email: 'asc' },
      limit: limit + 1,
    });
    const more = items.length > limit;
    const page = more ? items.slice(0, limit) : items;
    return { items: page, next: more ? page.at(-1)!.email : null };
  }

  async get(memberId: string): Promise<Member | null> {
    return this.scope.em().findOne(MemberSchema, { id: memberId });
  }
}
