import { Migration } from '@mikro-orm/migrations';

/** The tables of the discussions module. */
export class Migration20261125070000Discussions extends Migration {
  override up(): void {}

  override down(): void {}
}
