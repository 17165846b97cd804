import { Migration } from '@mikro-orm/migrations';

/** The tables of the listings module. */
export class Migration20261125060000Listings extends Migration {
  override up(): void {}

  override down(): void {}
}
