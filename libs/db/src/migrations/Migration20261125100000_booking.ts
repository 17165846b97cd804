import { Migration } from '@mikro-orm/migrations';

/** The tables of the booking module. */
export class Migration20261125100000Booking extends Migration {
  override up(): void {}

  override down(): void {}
}
