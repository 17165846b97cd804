import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';

/**
 * A date-finding poll ("Terminabsprache") in a group: members answer yes / maybe / no per
 * option until it is closed (by hand, or when `closesAt` has passed) or finalised. Finalising
 * picks one option and creates an event from it; `finalisedOptionId` and `finalisedEventId`
 * are plain ids (the composite foreign keys are in the migration) so the entities need not
 * know each other in both directions.
 */
export const PollSchema = defineEntity({
  name: 'Poll',
  tableName: 'polls',
  extends: TenantOwnedSchema,
  properties: {
    group: () => p.manyToOne(GroupSchema).ref().createForeignKeyConstraint(false),
    author: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    title: p.string().length(200),
    /** Markdown as written. */
    description: p.text(),
    /** Answers are taken until then; null: until closed by hand. */
    closesAt: p.datetime().nullable(),
    closedAt: p.datetime().nullable(),
    finalisedOptionId: p.uuid().nullable(),
    finalisedEventId: p.uuid().nullable(),
    finalisedAt: p.datetime().nullable(),
  },
  uniques: [{ name: 'polls_tenant_id_id_unique', properties: ['tenantId', 'id'] }],
  indexes: [
    { name: 'polls_tenant_id_group_id_created_at_index', properties: ['tenantId', 'group', 'createdAt'] },
  ],
});

export type Poll = InferEntity<typeof PollSchema>;
