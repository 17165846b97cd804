import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { MemberSchema } from '@allmende/members';
import { PollOptionSchema } from './poll-option.entity';

export const POLL_ANSWERS = ['yes', 'maybe', 'no'] as const;
export type PollAnswerValue = (typeof POLL_ANSWERS)[number];

/** A member's answer to one option: one per member and option (the unique makes it so). */
export const PollAnswerSchema = defineEntity({
  name: 'PollAnswer',
  tableName: 'poll_answers',
  extends: TenantOwnedSchema,
  properties: {
    option: () => p.manyToOne(PollOptionSchema).ref().createForeignKeyConstraint(false),
    member: () => p.manyToOne(MemberSchema).ref().createForeignKeyConstraint(false),
    answer: p.enum(POLL_ANSWERS),
  },
  uniques: [
    {
      name: 'poll_answers_tenant_id_option_id_member_id_unique',
      properties: ['tenantId', 'option', 'member'],
    },
  ],
  indexes: [{ name: 'poll_answers_tenant_id_member_id_index', properties: ['tenantId', 'member'] }],
});

export type PollAnswer = InferEntity<typeof PollAnswerSchema>;
