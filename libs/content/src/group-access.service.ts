import { Injectable } from '@nestjs/common';
import type { Actor, GroupRole } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import {
  GroupMemberSchema,
  GroupModuleSchema,
  type Group,
  type GroupModule,
  type GroupModuleName,
} from '@allmende/groups';

/** A group the caller may read, with one module's settings as stored. */
export interface ReadableGroup {
  id: string;
  key: string;
  settings: unknown;
}

/** What the caller may do in one module of one group. */
export interface GroupAccessContext {
  group: Group;
  /** The module's row, with the template's settings (e.g. news categories). */
  module: GroupModule;
  /** The caller's role in the group; null when not in it. */
  groupRole: GroupRole | null;
  canRead: boolean;
  /** Members of the group write. */
  canWrite: boolean;
  /** Group admins and tenant admins moderate (edit or delete others' content, pin, hide). */
  canModerate: boolean;
}

/**
 * The common rules of every group module, in one place:
 * - a module works only in groups whose template enabled it;
 * - reading follows the group's visibility: `public` for everyone (also without login),
 *   `members` for members of the tenant, `private` for members of the group;
 * - writing needs membership in the group; moderating needs `group_admin` or `tenant_admin`.
 * A group the caller may not read answers 404, like one that does not exist.
 */
@Injectable()
export class GroupAccess {
  constructor(private readonly scope: TenantScope) {}

  /** The caller's access to `module` in the group with this key (or id); 404 when they may not read it. */
  async require(actor: Actor, groupKey: string, module: GroupModuleName): Promise<GroupAccessContext> {
    const em = this.scope.em();
    // The module row with its group, in one query: every group page starts here.
    const moduleRow = await em.findOne(
      GroupModuleSchema,
      { group: { key: groupKey.toLowerCase() }, module },
      { populate: ['group'] },
    );
    const group = moduleRow?.group.unwrap();
    if (!group || !moduleRow) throw ProblemException.notFound(`No group "${groupKey}" with ${module}.`);
    const memberId = actor.membership?.memberId;
    const membership = memberId ? await em.findOne(GroupMemberSchema, { group, member: memberId }) : null;
    const groupRole = membership?.role ?? null;
    const tenantAdmin = actor.membership?.role === 'tenant_admin';
    const canRead =
      group.visibility === 'public' ||
      (group.visibility === 'members' && !!actor.membership) ||
      groupRole !== null ||
      tenantAdmin;
    if (!canRead) throw ProblemException.notFound(`No group "${groupKey}" with ${module}.`);
    return {
      group,
      module: moduleRow,
      groupRole,
      canRead,
      canWrite: groupRole !== null,
      canModerate: groupRole === 'group_admin' || tenantAdmin,
    };
  }

  /** As `require`, and the caller must be a member of the group (403 otherwise; 401 without login). */
  async requireWrite(actor: Actor, groupKey: string, module: GroupModuleName): Promise<GroupAccessContext> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    const access = await this.require(actor, groupKey, module);
    if (!access.canWrite) throw ProblemException.forbidden('Only members of the group may write here.');
    return access;
  }

  /** As `require`, and the caller must moderate the group (403 otherwise). */
  async requireModerate(
    actor: Actor,
    groupKey: string,
    module: GroupModuleName,
  ): Promise<GroupAccessContext> {
    if (!actor.person) throw ProblemException.unauthorized('Sign in first.');
    const access = await this.require(actor, groupKey, module);
    if (!access.canModerate) throw ProblemException.forbidden('Only the group admins may do this.');
    return access;
  }

  /** Ids of the groups with `module` that the caller may read (for tenant-wide feeds and search). */
  async readableGroupIds(actor: Actor, module: GroupModuleName): Promise<string[]> {
    return (await this.readableGroups(actor, module)).map((group) => group.id);
  }

  /** As `readableGroupIds`, with each group's key and the module's raw settings. */
  async readableGroups(actor: Actor, module: GroupModuleName): Promise<ReadableGroup[]> {
    const query = this.readableGroupsQuery(actor, module);
    return this.scope.em().execute<ReadableGroup[]>(query.sql, query.params);
  }

  /**
   * The same rule as a query of its own (columns `id`, `key`, `settings`), for feeds that
   * join it instead of asking for the ids first: one statement less on the hottest reads.
   */
  readableGroupsQuery(actor: Actor, module: GroupModuleName): { sql: string; params: unknown[] } {
    const memberId = actor.membership?.memberId ?? null;
    const tenantAdmin = actor.membership?.role === 'tenant_admin';
    return {
      sql: `select g.id, g.key, gm.settings from groups g
         join group_modules gm on gm.group_id = g.id and gm.module = ?
        where g.visibility = 'public'
           or (g.visibility = 'members' and ?::boolean)
           or ?::boolean
           or exists (select 1 from group_members m where m.group_id = g.id and m.member_id = ?::uuid)`,
      params: [module, memberId !== null, tenantAdmin, memberId],
    };
  }
}
