import { Migration } from '@mikro-orm/migrations';

/** The tables of the news module. */
export class Migration20261125040000News extends Migration {
  override up(): void {}

  override down(): void {}
}
