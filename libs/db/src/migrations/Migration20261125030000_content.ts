import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';
import { tenantOwnedTableSql } from './tenant-owned-table';

/** What every group module shares: the outbox (changes others should hear about) and the audit log. */
export class Migration20261125030000Content extends Migration {
  override up(): void {
    this.addSql(`create table "outbox_events" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "topic" varchar(100) not null,
      "payload" jsonb not null,
      "relayed_at" timestamptz null);`);
    this.addSql(
      `create index "outbox_events_unrelayed_index" on "outbox_events" ("tenant_id", "created_at");`,
    );
    this.addSql(`create table "audit_events" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "actor_user_id" uuid null,
      "actor_member_id" uuid null,
      "action" varchar(100) not null,
      "entity_type" varchar(50) not null,
      "entity_id" uuid not null,
      "details" jsonb null);`);
    this.addSql(
      `create index "audit_events_tenant_id_created_at_index" on "audit_events" ("tenant_id", "created_at");`,
    );
    for (const table of ['outbox_events', 'audit_events']) {
      for (const sql of tenantOwnedTableSql(table, APP_ROLE)) this.addSql(sql);
    }
  }

  override down(): void {
    this.addSql('drop table if exists "audit_events", "outbox_events";');
  }
}
