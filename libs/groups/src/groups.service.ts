import { Injectable } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { z } from 'zod';
import { recordAudit } from '@allmende/audit';
import type { Actor } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import {
  GROUP_VISIBILITIES,
  GroupSchema,
  JOIN_POLICIES,
  type Group,
  type GroupVisibility,
  type JoinPolicy,
  type LocalizedText,
} from './group.entity';

/** German required, English optional; as in the tenant templates. */
const localized = (max: number) =>
  z.strictObject({
    de: z.string().trim().min(1).max(max),
    en: z.string().trim().min(1).max(max).optional(),
  });

/** A group's settings a tenant admin changes; absent fields stay as they are. */
export const groupSettingsBody = z.strictObject({
  name: localized(100).optional(),
  /** null: no description. */
  description: localized(1000).nullable().optional(),
  visibility: z.enum(GROUP_VISIBILITIES).optional(),
  joinPolicy: z.enum(JOIN_POLICIES).optional(),
});
export type GroupSettingsBody = z.infer<typeof groupSettingsBody>;

/** A group as the tenant admins' overview lists it. */
export interface GroupOverview {
  group: Group;
  members: number;
  pendingRequests: number;
}

@Injectable()
export class GroupsService {
  constructor(private readonly scope: TenantScope) {}

  /** Groups anyone may see without signing in, in the current tenant. */
  async listPublic(): Promise<Group[]> {
    return this.scope
      .em()
      .find(GroupSchema, { visibility: 'public' }, { orderBy: { position: 'asc', key: 'asc' } });
  }

  /** Every group of the tenant (for its admins), in the template's order, with member and request counts. */
  async overview(): Promise<GroupOverview[]> {
    const em = this.scope.em();
    const groups = await em.find(GroupSchema, {}, { orderBy: { position: 'asc', key: 'asc' } });
    if (groups.length === 0) return [];
    const counts = await em.execute<{ id: string; members: number; pending: number }[]>(
      `select g.id,
              (select count(*)::int from group_members gm where gm.group_id = g.id) as members,
              (select count(*)::int from group_join_requests r
                where r.group_id = g.id and r.status = 'pending') as pending
         from groups g`,
    );
    const byId = new Map(counts.map((row) => [row.id, row]));
    return groups.map((group) => ({
      group,
      members: byId.get(group.id)?.members ?? 0,
      pendingRequests: byId.get(group.id)?.pending ?? 0,
    }));
  }

  /** A group by key (any visibility: for tenant admins); 404 when there is none. */
  async get(groupKey: string): Promise<Group> {
    const group = await this.scope.em().findOne(GroupSchema, { key: groupKey.toLowerCase() });
    if (!group) throw ProblemException.notFound(`No group "${groupKey}".`);
    return group;
  }

  /**
   * Changes a group's name, description, visibility or join policy (tenant admins; the
   * caller's guard checks the role). What changed is audited (`groups.group.updated`, with
   * each field's old and new value); a change to nothing writes nothing.
   */
  async updateSettings(actor: Actor, groupKey: string, input: GroupSettingsBody): Promise<Group> {
    return this.scope.em().transactional(async (em) => {
      const group = await em.findOne(
        GroupSchema,
        { key: groupKey.toLowerCase() },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      if (!group) throw ProblemException.notFound(`No group "${groupKey}".`);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const next = {
        name: input.name === undefined ? group.name : text(input.name),
        description:
          input.description === undefined
            ? (group.description ?? null)
            : input.description && text(input.description),
        visibility: input.visibility ?? group.visibility,
        joinPolicy: input.joinPolicy ?? group.joinPolicy,
      };
      if (!sameText(group.name, next.name)) changes.name = { from: group.name, to: next.name };
      if (!sameText(group.description ?? null, next.description))
        changes.description = { from: group.description ?? null, to: next.description };
      if (group.visibility !== next.visibility)
        changes.visibility = { from: group.visibility, to: next.visibility };
      if (group.joinPolicy !== next.joinPolicy)
        changes.joinPolicy = { from: group.joinPolicy, to: next.joinPolicy };
      if (Object.keys(changes).length === 0) return group;
      group.name = next.name;
      group.description = next.description;
      group.visibility = next.visibility as GroupVisibility;
      group.joinPolicy = next.joinPolicy as JoinPolicy;
      recordAudit(em, actor, {
        action: 'groups.group.updated',
        entityType: 'group',
        entityId: group.id,
        details: { groupKey: group.key, changes },
      });
      await em.flush();
      return group;
    });
  }
}

/** Without an absent English text (so `{de}` and `{de, en: undefined}` compare equal). */
function text(value: { de: string; en?: string }): LocalizedText {
  return value.en ? { de: value.de, en: value.en } : { de: value.de };
}

function sameText(a: LocalizedText | null, b: LocalizedText | null): boolean {
  if (a === null || b === null) return a === b;
  return a.de === b.de && (a.en || undefined) === (b.en || undefined);
}
