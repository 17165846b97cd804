import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { MemberSchema } from '@allmende/members';
import { GroupSchema } from './group.entity';

export const GROUP_ROLES = ['group_admin', 'member'] as const;
export type GroupRole = (typeof GROUP_ROLES)[number];

/**
 * A member's place in a group. The ORM's single-column foreign keys are replaced by
 * composite ones, (tenant_id, group_id) and (tenant_id, member_id), written in the
 * migration, so a row can never point into another tenant.
 */
export const GroupMemberSchema = defineEntity({
  name: 'GroupMember',
  tableName: 'group_members',
  extends: TenantOwnedSchema,
  properties: {
    group: () => p.manyToOne(GroupSchema).ref().createForeignKeyConstraint(false),
    member: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    role: p.enum(GROUP_ROLES).default('member'),
  },
  uniques: [
    {
      name: 'group_members_tenant_id_group_id_member_id_unique',
      properties: ['tenantId', 'group', 'member'],
    },
  ],
  indexes: [{ name: 'group_members_tenant_id_member_id_index', properties: ['tenantId', 'member'] }],
});

export type GroupMember = InferEntity<typeof GroupMemberSchema>;
