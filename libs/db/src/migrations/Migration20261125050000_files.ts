import { Migration } from '@mikro-orm/migrations';

/** The tables of the files module. */
export class Migration20261125050000Files extends Migration {
  override up(): void {}

  override down(): void {}
}
