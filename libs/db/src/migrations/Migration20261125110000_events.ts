import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';
import { tenantOwnedTableSql } from './tenant-owned-table';

/**
 * The tables of the events module: events and RSVPs. Foreign keys are composite
 * (tenant_id, x_id), so no row can point into another tenant.
 */
export class Migration20261125110000Events extends Migration {
  override up(): void {
    this.addSql(`create table "events" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "group_id" uuid not null,
      "author_id" uuid not null,
      "title" varchar(200) not null,
      "description" text not null,
      "place" varchar(300) null,
      "starts_at" timestamptz not null,
      "ends_at" timestamptz not null,
      "all_day" boolean not null default false,
      "capacity" int null,
      "edited_at" timestamptz null,
      "cancelled_at" timestamptz null,
      constraint "events_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "events_group_fk" foreign key ("tenant_id", "group_id") references "groups" ("tenant_id", "id") on delete cascade,
      constraint "events_author_fk" foreign key ("tenant_id", "author_id") references "members" ("tenant_id", "id") on delete cascade);`);
    this.addSql(
      `create index "events_tenant_id_group_id_starts_at_index" on "events" ("tenant_id", "group_id", "starts_at");`,
    );
    this.addSql(`create index "events_tenant_id_starts_at_index" on "events" ("tenant_id", "starts_at");`);

    this.addSql(`create table "event_rsvps" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "event_id" uuid not null,
      "member_id" uuid not null,
      "answer" text not null
        constraint "event_rsvps_answer_check" check ("answer" in ('yes', 'maybe', 'no')),
      "guests" int not null default 0,
      "status" text not null default 'confirmed'
        constraint "event_rsvps_status_check" check ("status" in ('confirmed', 'waitlisted')),
      "position" int null,
      "answered_at" timestamptz not null,
      constraint "event_rsvps_tenant_id_event_id_member_id_unique" unique ("tenant_id", "event_id", "member_id"),
      constraint "event_rsvps_event_fk" foreign key ("tenant_id", "event_id") references "events" ("tenant_id", "id") on delete cascade,
      constraint "event_rsvps_member_fk" foreign key ("tenant_id", "member_id") references "members" ("tenant_id", "id") on delete cascade);`);
    this.addSql(
      `create index "event_rsvps_tenant_id_member_id_index" on "event_rsvps" ("tenant_id", "member_id");`,
    );
    for (const table of ['events', 'event_rsvps']) {
      for (const sql of tenantOwnedTableSql(table, APP_ROLE)) this.addSql(sql);
    }
  }

  override down(): void {
    this.addSql('drop table if exists "event_rsvps", "events";');
  }
}
