import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';
import { tenantOwnedTableSql } from './tenant-owned-table';

/**
 * The tables of the volunteering module: calls, their shifts and items, and pledges. Foreign
 * keys are composite (tenant_id, x_id), so no row can point into another tenant. Capacity is
 * kept by the service's conditional counter updates (see volunteer-shift.entity.ts).
 */
export class Migration20261125090000Volunteering extends Migration {
  override up(): void {
    this.addSql(`create table "volunteer_calls" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "group_id" uuid not null,
      "author_id" uuid not null,
      "title" varchar(200) not null,
      "body" text not null,
      "place" varchar(200) null,
      "contact" varchar(500) null,
      "status" text not null default 'open'
        constraint "volunteer_calls_status_check" check ("status" in ('open', 'closed')),
      "closed_at" timestamptz null,
      constraint "volunteer_calls_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "volunteer_calls_group_fk" foreign key ("tenant_id", "group_id") references "groups" ("tenant_id", "id") on delete cascade,
      constraint "volunteer_calls_author_fk" foreign key ("tenant_id", "author_id") references "members" ("tenant_id", "id") on delete cascade);`);
    this.addSql(
      `create index "volunteer_calls_tenant_id_group_id_created_at_index" on "volunteer_calls" ("tenant_id", "group_id", "created_at");`,
    );
    this.addSql(
      `create index "volunteer_calls_tenant_id_created_at_index" on "volunteer_calls" ("tenant_id", "created_at");`,
    );

    this.addSql(`create table "volunteer_shifts" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "call_id" uuid not null,
      "starts_at" timestamptz not null,
      "ends_at" timestamptz not null,
      "helpers_needed" int not null,
      "pledged_count" int not null default 0,
      constraint "volunteer_shifts_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "volunteer_shifts_call_fk" foreign key ("tenant_id", "call_id") references "volunteer_calls" ("tenant_id", "id") on delete cascade);`);
    this.addSql(
      `create index "volunteer_shifts_tenant_id_call_id_starts_at_index" on "volunteer_shifts" ("tenant_id", "call_id", "starts_at");`,
    );
    this.addSql(
      `create index "volunteer_shifts_tenant_id_starts_at_index" on "volunteer_shifts" ("tenant_id", "starts_at");`,
    );

    this.addSql(`create table "volunteer_items" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "call_id" uuid not null,
      "name" varchar(200) not null,
      "quantity_needed" int not null,
      "pledged_quantity" int not null default 0,
      constraint "volunteer_items_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "volunteer_items_call_fk" foreign key ("tenant_id", "call_id") references "volunteer_calls" ("tenant_id", "id") on delete cascade);`);
    this.addSql(
      `create index "volunteer_items_tenant_id_call_id_index" on "volunteer_items" ("tenant_id", "call_id");`,
    );

    this.addSql(`create table "volunteer_pledges" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "member_id" uuid not null,
      "shift_id" uuid null,
      "item_id" uuid null,
      "quantity" int not null default 1,
      "reminded_at" timestamptz null,
      constraint "volunteer_pledges_tenant_id_shift_id_member_id_unique" unique ("tenant_id", "shift_id", "member_id"),
      constraint "volunteer_pledges_tenant_id_item_id_member_id_unique" unique ("tenant_id", "item_id", "member_id"),
      constraint "volunteer_pledges_member_fk" foreign key ("tenant_id", "member_id") references "members" ("tenant_id", "id") on delete cascade,
      constraint "volunteer_pledges_shift_fk" foreign key ("tenant_id", "shift_id") references "volunteer_shifts" ("tenant_id", "id") on delete cascade,
      constraint "volunteer_pledges_item_fk" foreign key ("tenant_id", "item_id") references "volunteer_items" ("tenant_id", "id") on delete cascade);`);
    this.addSql(
      `create index "volunteer_pledges_tenant_id_member_id_index" on "volunteer_pledges" ("tenant_id", "member_id");`,
    );

    for (const table of ['volunteer_calls', 'volunteer_shifts', 'volunteer_items', 'volunteer_pledges']) {
      for (const sql of tenantOwnedTableSql(table, APP_ROLE)) this.addSql(sql);
    }
  }

  override down(): void {
    this.addSql(
      'drop table if exists "volunteer_pledges", "volunteer_items", "volunteer_shifts", "volunteer_calls";',
    );
  }
}
