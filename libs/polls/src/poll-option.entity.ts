import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { TenantOwnedSchema } from '@allmende/db';
import { PollSchema } from './poll.entity';

/** A proposed date of a poll; `position` keeps the order the author gave. */
export const PollOptionSchema = defineEntity({
  name: 'PollOption',
  tableName: 'poll_options',
  extends: TenantOwnedSchema,
  properties: {
    poll: () => p.manyToOne(PollSchema).ref().createForeignKeyConstraint(false),
    position: p.integer(),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
  },
  uniques: [
    { name: 'poll_options_tenant_id_id_unique', properties: ['tenantId', 'id'] },
    { name: 'poll_options_tenant_id_poll_id_position_unique', properties: ['tenantId', 'poll', 'position'] },
  ],
});

export type PollOption = InferEntity<typeof PollOptionSchema>;
