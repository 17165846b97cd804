import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000Foundation } from './Migration20261125000000_foundation';
import { Migration20261125010000Provisioning } from './Migration20261125010000_provisioning';
import { Migration20261125020000Identity } from './Migration20261125020000_identity';
import { Migration20261125030000Content } from './Migration20261125030000_content';
import { Migration20261125040000News } from './Migration20261125040000_news';
import { Migration20261125050000Files } from './Migration20261125050000_files';
import { Migration20261125060000Listings } from './Migration20261125060000_listings';
import { Migration20261125070000Discussions } from './Migration20261125070000_discussions';

/** Every migration, in order. Listed explicitly so compiled and test runs see the same set. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261125000000_foundation', class: Migration20261125000000Foundation },
  { name: 'Migration20261125010000_provisioning', class: Migration20261125010000Provisioning },
  { name: 'Migration20261125020000_identity', class: Migration20261125020000Identity },
  { name: 'Migration20261125030000_content', class: Migration20261125030000Content },
  { name: 'Migration20261125040000_news', class: Migration20261125040000News },
  { name: 'Migration20261125050000_files', class: Migration20261125050000Files },
  { name: 'Migration20261125060000_listings', class: Migration20261125060000Listings },
  { name: 'Migration20261125070000_discussions', class: Migration20261125070000Discussions },
];
