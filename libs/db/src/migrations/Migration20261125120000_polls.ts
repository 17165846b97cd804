import { Migration } from '@mikro-orm/migrations';

/** The tables of the polls module. */
export class Migration20261125120000Polls extends Migration {
  override up(): void {}

  override down(): void {}
}
