import { Injectable } from '@nestjs/common';
import type { Actor, GroupRole } from '@allmende/auth';
import { TenantScope } from '@allmende/db';
import {
  GROUP_MODULE_NAMES,
  type GroupModuleName,
  type GroupVisibility,
  type JoinPolicy,
  type LocalizedText,
} from '@allmende/groups';
import type { Locale } from '@allmende/i18n';

/** A group as the portal lists it: for the navigation, the home page and the group tabs. */
export interface PortalGroup {
  id: string;
  key: string;
  name: LocalizedText;
  visibility: GroupVisibility;
  joinPolicy: JoinPolicy;
  /** The caller's role in it; null when not in it. */
  role: GroupRole | null;
  /** Its modules, in the platform's order (news first). */
  modules: GroupModuleName[];
}

/** A group's name in the page's language (German is always there). */
export function groupName(name: LocalizedText, locale: Locale): string {
  return (locale === 'en' && name.en) || name.de;
}

/**
 * The groups of the community the caller may see, in one query: the same visibility rule as
 * GroupAccess (public for everyone, `members` for members of the tenant, private for their
 * members, everything for tenant admins).
 */
@Injectable()
export class PortalGroups {
  constructor(private readonly scope: TenantScope) {}

  async visibleTo(actor: Actor): Promise<PortalGroup[]> {
    const memberId = actor.membership?.memberId ?? null;
    const rows = await this.scope.em().execute<
      {
        id: string;
        key: string;
        name: LocalizedText;
        visibility: GroupVisibility;
        join_policy: JoinPolicy;
        role: GroupRole | null;
        modules: GroupModuleName[] | null;
      }[]
    >(
      `select g.id, g.key, g.name, g.visibility, g.join_policy, gm.role,
              (select array_agg(m.module) from group_modules m where m.group_id = g.id) as modules
         from groups g
         left join group_members gm on gm.group_id = g.id and gm.member_id = ?::uuid
        where g.visibility = 'public'
           or (g.visibility = 'members' and ?::boolean)
           or ?::boolean
           or gm.role is not null
        order by g.position, g.key`,
      [memberId, memberId !== null, actor.membership?.role === 'tenant_admin'],
    );
    return rows.map((row) => ({
      id: row.id,
      key: row.key,
      name: row.name,
      visibility: row.visibility,
      joinPolicy: row.join_policy,
      role: row.role,
      modules: GROUP_MODULE_NAMES.filter((module) => row.modules?.includes(module)),
    }));
  }
}
