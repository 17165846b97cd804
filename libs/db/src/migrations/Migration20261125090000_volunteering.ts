import { Migration } from '@mikro-orm/migrations';

/** The tables of the volunteering module. */
export class Migration20261125090000Volunteering extends Migration {
  override up(): void {}

  override down(): void {}
}
