import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';
import { tenantOwnedTableSql } from './tenant-owned-table';

/** Secrets of calendar feed URLs (events, booking, volunteering). */
export class Migration20261125080000Calendar extends Migration {
  override up(): void {
    this.addSql(`create table "calendar_feed_tokens" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "kind" text not null constraint "calendar_feed_tokens_kind_check" check ("kind" in ('member', 'group', 'resource')),
      "subject_id" uuid not null,
      "token_hash" varchar(64) not null,
      constraint "calendar_feed_tokens_tenant_id_kind_subject_id_unique" unique ("tenant_id", "kind", "subject_id"),
      constraint "calendar_feed_tokens_tenant_id_token_hash_unique" unique ("tenant_id", "token_hash"));`);
    for (const sql of tenantOwnedTableSql('calendar_feed_tokens', APP_ROLE)) this.addSql(sql);
  }

  override down(): void {
    this.addSql('drop table if exists "calendar_feed_tokens";');
  }
}
