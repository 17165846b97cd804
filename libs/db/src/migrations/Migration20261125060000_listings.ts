import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';
import { tenantOwnedTableSql } from './tenant-owned-table';

/** The tables of the listings module ("Gesucht – Gefunden"): listings and messages to their authors. */
export class Migration20261125060000Listings extends Migration {
  override up(): void {
    this.addSql(`create table "listings" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "group_id" uuid not null,
      "author_id" uuid not null,
      "kind" text not null
        constraint "listings_kind_check" check ("kind" in ('lost', 'found', 'missing_pet', 'offer', 'request')),
      "title" varchar(200) not null,
      "description" text not null,
      "place" varchar(200) not null,
      "date" date not null,
      "photo_id" uuid null,
      "status" text not null default 'open'
        constraint "listings_status_check" check ("status" in ('open', 'resolved', 'archived')),
      "resolved_at" timestamptz null,
      "expires_at" timestamptz not null,
      "renewed_at" timestamptz null,
      constraint "listings_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "listings_group_fk" foreign key ("tenant_id", "group_id") references "groups" ("tenant_id", "id") on delete cascade,
      constraint "listings_author_fk" foreign key ("tenant_id", "author_id") references "members" ("tenant_id", "id") on delete cascade,
      constraint "listings_photo_fk" foreign key ("tenant_id", "photo_id") references "files" ("tenant_id", "id") on delete set null ("photo_id"));`);
    this.addSql(
      `create index "listings_tenant_id_group_id_status_created_at_index" on "listings" ("tenant_id", "group_id", "status", "created_at");`,
    );
    this.addSql(
      `create index "listings_tenant_id_status_expires_at_index" on "listings" ("tenant_id", "status", "expires_at");`,
    );
    this.addSql(`create table "listing_messages" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "listing_id" uuid not null,
      "sender_id" uuid not null,
      "text" text not null,
      constraint "listing_messages_listing_fk" foreign key ("tenant_id", "listing_id") references "listings" ("tenant_id", "id") on delete cascade,
      constraint "listing_messages_sender_fk" foreign key ("tenant_id", "sender_id") references "members" ("tenant_id", "id") on delete cascade);`);
    this.addSql(
      `create index "listing_messages_tenant_id_listing_id_created_at_index" on "listing_messages" ("tenant_id", "listing_id", "created_at");`,
    );
    for (const table of ['listings', 'listing_messages']) {
      for (const sql of tenantOwnedTableSql(table, APP_ROLE)) this.addSql(sql);
    }
  }

  override down(): void {
    this.addSql('drop table if exists "listing_messages", "listings";');
  }
}
