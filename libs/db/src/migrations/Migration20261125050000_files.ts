import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';
import { tenantOwnedTableSql } from './tenant-owned-table';

/** The tables of the files module: one row per stored upload (the bytes live in the FileStorage). */
export class Migration20261125050000Files extends Migration {
  override up(): void {
    this.addSql(`create table "files" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "group_id" uuid not null,
      "uploader_id" uuid null,
      "original_name" varchar(255) not null,
      "media_type" varchar(100) not null,
      "size" int not null,
      "sha256" varchar(64) not null,
      "storage_key" varchar(100) not null,
      constraint "files_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "files_group_fk" foreign key ("tenant_id", "group_id") references "groups" ("tenant_id", "id") on delete cascade,
      constraint "files_uploader_fk" foreign key ("tenant_id", "uploader_id") references "members" ("tenant_id", "id") on delete set null ("uploader_id"));`);
    this.addSql(
      `create index "files_tenant_id_group_id_created_at_index" on "files" ("tenant_id", "group_id", "created_at");`,
    );
    for (const sql of tenantOwnedTableSql('files', APP_ROLE)) this.addSql(sql);
  }

  override down(): void {
    this.addSql('drop table if exists "files";');
  }
}
