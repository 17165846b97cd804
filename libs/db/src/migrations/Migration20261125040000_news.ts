import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';
import { tenantOwnedTableSql } from './tenant-owned-table';

/** The tables of the news module: posts of a group's news, urgent alerts among them. */
export class Migration20261125040000News extends Migration {
  override up(): void {
    this.addSql(`create table "news_posts" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "group_id" uuid not null,
      "author_id" uuid null,
      "category_key" varchar(63) not null,
      "title" varchar(200) not null,
      "body" text not null,
      "urgency" text not null default 'normal'
        constraint "news_posts_urgency_check" check ("urgency" in ('normal', 'important', 'urgent')),
      "pinned" boolean not null default false,
      "publish_at" timestamptz not null default now(),
      "expires_at" timestamptz null,
      "resolved_at" timestamptz null,
      "resolved_by_member_id" uuid null,
      "follow_up" text null,
      constraint "news_posts_group_fk" foreign key ("tenant_id", "group_id") references "groups" ("tenant_id", "id") on delete cascade,
      constraint "news_posts_author_fk" foreign key ("tenant_id", "author_id") references "members" ("tenant_id", "id") on delete set null ("author_id"),
      constraint "news_posts_resolved_by_fk" foreign key ("tenant_id", "resolved_by_member_id") references "members" ("tenant_id", "id") on delete set null ("resolved_by_member_id"));`);
    this.addSql(
      `create index "news_posts_tenant_id_group_id_publish_at_index" on "news_posts" ("tenant_id", "group_id", "publish_at");`,
    );
    this.addSql(
      `create index "news_posts_tenant_id_publish_at_index" on "news_posts" ("tenant_id", "publish_at");`,
    );
    for (const sql of tenantOwnedTableSql('news_posts', APP_ROLE)) this.addSql(sql);
  }

  override down(): void {
    this.addSql('drop table if exists "news_posts";');
  }
}
