import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000Foundation } from './Migration20261125000000_foundation';

/** Every migration, in order. Listed explicitly so compiled and test runs see the same set. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261125000000_foundation', class: Migration20261125000000Foundation },
];
