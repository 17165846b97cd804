import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';
import { tenantOwnedTableSql } from './tenant-owned-table';

/**
 * Mail: the delivery ledger (one row per member and period or occasion: what makes sending
 * exactly once), a member's own time zone for digest times, event reminders, and the relay's index of
 * unrelayed outbox rows.
 */
export class Migration20261125140000Mail extends Migration {
  override up(): void {
    this.addSql(`create table "mail_deliveries" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "member_id" uuid not null,
      "kind" text not null constraint "mail_deliveries_kind_check" check ("kind" in ('digest', 'alert', 'notice')),
      "period_key" varchar(200) not null,
      "status" text not null constraint "mail_deliveries_status_check" check ("status" in ('sent', 'empty', 'failed')),
      "message_id" varchar(300) null,
      "covers_until" timestamptz null,
      "error" text null,
      constraint "mail_deliveries_member_fk" foreign key ("tenant_id", "member_id")
        references "members" ("tenant_id", "id") on delete cascade,
      constraint "mail_deliveries_tenant_id_member_id_period_key_unique" unique ("tenant_id", "member_id", "period_key"));`);
    this.addSql(
      `create index "mail_deliveries_tenant_id_member_id_kind_created_at_index" on "mail_deliveries" ("tenant_id", "member_id", "kind", "created_at");`,
    );
    for (const sql of tenantOwnedTableSql('mail_deliveries', APP_ROLE)) this.addSql(sql);

    this.addSql(`alter table "notification_preferences" add column "time_zone" varchar(64) null;`);
    this.addSql(`alter table "event_rsvps" add column "reminded_at" timestamptz null;`);
    this.addSql(
      `create index "outbox_events_pending_index" on "outbox_events" ("tenant_id", "created_at") where "relayed_at" is null;`,
    );
  }

  override down(): void {
    this.addSql('drop index if exists "outbox_events_pending_index";');
    this.addSql('alter table "event_rsvps" drop column if exists "reminded_at";');
    this.addSql('alter table "notification_preferences" drop column if exists "time_zone";');
    this.addSql('drop table if exists "mail_deliveries";');
  }
}
