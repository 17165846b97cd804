import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '@allmende/core';

/** What every table has: a time-ordered UUID and creation/update times. */
export const BaseSchema = defineEntity({
  name: 'Base',
  abstract: true,
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    createdAt: p
      .datetime()
      .onCreate(() => new Date())
      .defaultRaw('now()'),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date())
      .defaultRaw('now()'),
  },
});
