import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000Foundation } from './Migration20261125000000_foundation';
import { Migration20261125010000Provisioning } from './Migration20261125010000_provisioning';
import { Migration20261125020000Identity } from './Migration20261125020000_identity';

/** Every migration, in order. Listed explicitly so compiled and test runs see the same set. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261125000000_foundation', class: Migration20261125000000Foundation },
  { name: 'Migration20261125010000_provisioning', class: Migration20261125010000Provisioning },
  { name: 'Migration20261125020000_identity', class: Migration20261125020000Identity },
];
