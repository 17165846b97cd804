import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';
import { tenantOwnedTableSql } from './tenant-owned-table';

/** Members' notification preferences (digest frequency and time, muted groups, alerts, language). */
export class Migration20261125130000Notifications extends Migration {
  override up(): void {
    this.addSql(`create table "notification_preferences" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "member_id" uuid not null,
      "digest_frequency" text not null
        constraint "notification_preferences_digest_frequency_check" check ("digest_frequency" in ('off', 'daily', 'weekly')),
      "digest_hour" int not null,
      "digest_weekday" int not null,
      "muted_group_ids" jsonb not null,
      "urgent_alerts" boolean not null,
      "language" text not null constraint "notification_preferences_language_check" check ("language" in ('de', 'en')),
      constraint "notification_preferences_member_fk" foreign key ("tenant_id", "member_id")
        references "members" ("tenant_id", "id") on delete cascade,
      constraint "notification_preferences_tenant_id_member_id_unique" unique ("tenant_id", "member_id"));`);
    for (const sql of tenantOwnedTableSql('notification_preferences', APP_ROLE)) this.addSql(sql);
  }

  override down(): void {
    this.addSql('drop table if exists "notification_preferences";');
  }
}
