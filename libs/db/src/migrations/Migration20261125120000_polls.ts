import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';
import { tenantOwnedTableSql } from './tenant-owned-table';

/**
 * The tables of the polls module: polls, their options and the members' answers. Foreign keys
 * are composite (tenant_id, x_id), so no row can point into another tenant; the poll's
 * finalised option is added after the options table exists (they refer to each other).
 */
export class Migration20261125120000Polls extends Migration {
  override up(): void {
    this.addSql(`create table "polls" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "group_id" uuid not null,
      "author_id" uuid not null,
      "title" varchar(200) not null,
      "description" text not null,
      "closes_at" timestamptz null,
      "closed_at" timestamptz null,
      "finalised_option_id" uuid null,
      "finalised_event_id" uuid null,
      "finalised_at" timestamptz null,
      constraint "polls_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "polls_group_fk" foreign key ("tenant_id", "group_id") references "groups" ("tenant_id", "id") on delete cascade,
      constraint "polls_author_fk" foreign key ("tenant_id", "author_id") references "members" ("tenant_id", "id") on delete cascade,
      constraint "polls_finalised_event_fk" foreign key ("tenant_id", "finalised_event_id") references "events" ("tenant_id", "id") on delete set null ("finalised_event_id"));`);
    this.addSql(
      `create index "polls_tenant_id_group_id_created_at_index" on "polls" ("tenant_id", "group_id", "created_at");`,
    );

    this.addSql(`create table "poll_options" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "poll_id" uuid not null,
      "position" int not null,
      "starts_at" timestamptz not null,
      "ends_at" timestamptz not null,
      constraint "poll_options_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "poll_options_tenant_id_poll_id_position_unique" unique ("tenant_id", "poll_id", "position"),
      constraint "poll_options_poll_fk" foreign key ("tenant_id", "poll_id") references "polls" ("tenant_id", "id") on delete cascade);`);
    this.addSql(
      `alter table "polls" add constraint "polls_finalised_option_fk" foreign key ("tenant_id", "finalised_option_id") references "poll_options" ("tenant_id", "id") on delete set null ("finalised_option_id");`,
    );

    this.addSql(`create table "poll_answers" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "option_id" uuid not null,
      "member_id" uuid not null,
      "answer" text not null
        constraint "poll_answers_answer_check" check ("answer" in ('yes', 'maybe', 'no')),
      constraint "poll_answers_tenant_id_option_id_member_id_unique" unique ("tenant_id", "option_id", "member_id"),
      constraint "poll_answers_option_fk" foreign key ("tenant_id", "option_id") references "poll_options" ("tenant_id", "id") on delete cascade,
      constraint "poll_answers_member_fk" foreign key ("tenant_id", "member_id") references "members" ("tenant_id", "id") on delete cascade);`);
    this.addSql(
      `create index "poll_answers_tenant_id_member_id_index" on "poll_answers" ("tenant_id", "member_id");`,
    );
    for (const table of ['polls', 'poll_options', 'poll_answers']) {
      for (const sql of tenantOwnedTableSql(table, APP_ROLE)) this.addSql(sql);
    }
  }

  override down(): void {
    this.addSql('drop table if exists "poll_answers", "poll_options", "polls";');
  }
}
