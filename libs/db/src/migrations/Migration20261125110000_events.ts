import { Migration } from '@mikro-orm/migrations';

/** The tables of the events module. */
export class Migration20261125110000Events extends Migration {
  override up(): void {}

  override down(): void {}
}
