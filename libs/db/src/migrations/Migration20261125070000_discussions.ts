import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';
import { tenantOwnedTableSql } from './tenant-owned-table';

/**
 * The tables of the discussions module: threads, comments and thanks. Foreign keys are
 * composite (tenant_id, x_id), so no row can point into another tenant.
 */
export class Migration20261125070000Discussions extends Migration {
  override up(): void {
    const byMember = (table: string, what: string) =>
      `constraint "${table}_${what}_by_fk" foreign key ("tenant_id", "${what}_by_member_id") references "members" ("tenant_id", "id") on delete set null ("${what}_by_member_id")`;

    this.addSql(`create table "discussion_threads" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "group_id" uuid not null,
      "author_id" uuid not null,
      "title" varchar(200) not null,
      "body" text not null,
      "edited_at" timestamptz null,
      "locked_at" timestamptz null,
      "locked_by_member_id" uuid null,
      "hidden_at" timestamptz null,
      "hidden_by_member_id" uuid null,
      "deleted_at" timestamptz null,
      "deleted_by_member_id" uuid null,
      "last_activity_at" timestamptz not null,
      "comment_count" int not null default 0,
      constraint "discussion_threads_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "discussion_threads_group_fk" foreign key ("tenant_id", "group_id") references "groups" ("tenant_id", "id") on delete cascade,
      constraint "discussion_threads_author_fk" foreign key ("tenant_id", "author_id") references "members" ("tenant_id", "id") on delete cascade,
      ${byMember('discussion_threads', 'locked')},
      ${byMember('discussion_threads', 'hidden')},
      ${byMember('discussion_threads', 'deleted')});`);
    this.addSql(
      `create index "discussion_threads_tenant_id_group_id_last_activity_at_index" on "discussion_threads" ("tenant_id", "group_id", "last_activity_at");`,
    );
    this.addSql(
      `create index "discussion_threads_tenant_id_last_activity_at_index" on "discussion_threads" ("tenant_id", "last_activity_at");`,
    );

    this.addSql(`create table "discussion_comments" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "thread_id" uuid not null,
      "author_id" uuid not null,
      "body" text not null,
      "edited_at" timestamptz null,
      "hidden_at" timestamptz null,
      "hidden_by_member_id" uuid null,
      "deleted_at" timestamptz null,
      "deleted_by_member_id" uuid null,
      constraint "discussion_comments_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "discussion_comments_thread_fk" foreign key ("tenant_id", "thread_id") references "discussion_threads" ("tenant_id", "id") on delete cascade,
      constraint "discussion_comments_author_fk" foreign key ("tenant_id", "author_id") references "members" ("tenant_id", "id") on delete cascade,
      ${byMember('discussion_comments', 'hidden')},
      ${byMember('discussion_comments', 'deleted')});`);
    this.addSql(
      `create index "discussion_comments_tenant_id_thread_id_created_at_index" on "discussion_comments" ("tenant_id", "thread_id", "created_at");`,
    );

    this.addSql(`create table "discussion_thanks" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "member_id" uuid not null,
      "thread_id" uuid null,
      "comment_id" uuid null,
      constraint "discussion_thanks_tenant_id_thread_id_member_id_unique" unique ("tenant_id", "thread_id", "member_id"),
      constraint "discussion_thanks_tenant_id_comment_id_member_id_unique" unique ("tenant_id", "comment_id", "member_id"),
      constraint "discussion_thanks_member_fk" foreign key ("tenant_id", "member_id") references "members" ("tenant_id", "id") on delete cascade,
      constraint "discussion_thanks_thread_fk" foreign key ("tenant_id", "thread_id") references "discussion_threads" ("tenant_id", "id") on delete cascade,
      constraint "discussion_thanks_comment_fk" foreign key ("tenant_id", "comment_id") references "discussion_comments" ("tenant_id", "id") on delete cascade);`);
    this.addSql(
      `create index "discussion_thanks_tenant_id_member_id_index" on "discussion_thanks" ("tenant_id", "member_id");`,
    );

    for (const table of ['discussion_threads', 'discussion_comments', 'discussion_thanks']) {
      for (const sql of tenantOwnedTableSql(table, APP_ROLE)) this.addSql(sql);
    }
  }

  override down(): void {
    this.addSql('drop table if exists "discussion_thanks", "discussion_comments", "discussion_threads";');
  }
}
