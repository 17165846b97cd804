import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';
import { tenantOwnedTableSql } from './tenant-owned-table';

/**
 * The tables of the booking module: bookings, and extra request questions on the resources
 * from provisioning. No double booking, enforced here: an exclusion constraint (btree_gist)
 * over the half-open period of every requested or approved booking of a resource.
 */
export class Migration20261125100000Booking extends Migration {
  override up(): void {
    // btree_gist lets a gist index compare uuids with `=` next to the range's `&&`.
    this.addSql(`create extension if not exists btree_gist;`);
    this.addSql(`alter table "bookable_resources" add column "extra_fields" jsonb null;`);

    const byMember = (what: string) =>
      `constraint "bookings_${what}_by_fk" foreign key ("tenant_id", "${what}_by_member_id") references "members" ("tenant_id", "id") on delete set null ("${what}_by_member_id")`;
    this.addSql(`create table "bookings" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "resource_id" uuid not null,
      "group_id" uuid not null,
      "requester_id" uuid not null,
      "starts_at" timestamptz not null,
      "ends_at" timestamptz not null,
      "status" text not null default 'requested'
        constraint "bookings_status_check" check ("status" in ('requested', 'approved', 'declined', 'cancelled')),
      "purpose" varchar(2000) not null,
      "expected_guests" int not null,
      "contact_phone" varchar(50) not null,
      "house_rules_accepted_at" timestamptz null,
      "answers" jsonb null,
      "decision_message" varchar(2000) null,
      "decided_by_member_id" uuid null,
      "decided_at" timestamptz null,
      "cancelled_by_member_id" uuid null,
      "cancelled_at" timestamptz null,
      "deposit_status" text null
        constraint "bookings_deposit_status_check" check ("deposit_status" in ('due', 'received', 'refunded', 'withheld')),
      "key_notes" varchar(2000) null,
      constraint "bookings_resource_fk" foreign key ("tenant_id", "resource_id") references "bookable_resources" ("tenant_id", "id") on delete cascade,
      constraint "bookings_group_fk" foreign key ("tenant_id", "group_id") references "groups" ("tenant_id", "id") on delete cascade,
      constraint "bookings_requester_fk" foreign key ("tenant_id", "requester_id") references "members" ("tenant_id", "id") on delete cascade,
      ${byMember('decided')},
      ${byMember('cancelled')},
      constraint "bookings_one_booking_per_slot" exclude using gist (
        "tenant_id" with =, "resource_id" with =, tstzrange("starts_at", "ends_at", '[)') with &&
      ) where ("status" in ('requested', 'approved')));`);
    this.addSql(
      `create index "bookings_tenant_id_resource_id_starts_at_index" on "bookings" ("tenant_id", "resource_id", "starts_at");`,
    );
    this.addSql(
      `create index "bookings_tenant_id_requester_id_starts_at_index" on "bookings" ("tenant_id", "requester_id", "starts_at");`,
    );
    this.addSql(
      `create index "bookings_tenant_id_group_id_status_starts_at_index" on "bookings" ("tenant_id", "group_id", "status", "starts_at");`,
    );
    for (const sql of tenantOwnedTableSql('bookings', APP_ROLE)) this.addSql(sql);
  }

  override down(): void {
    this.addSql('drop table if exists "bookings";');
    this.addSql('alter table "bookable_resources" drop column if exists "extra_fields";');
  }
}
