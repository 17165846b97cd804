import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';
import { tenantOwnedTableSql } from './tenant-owned-table';

/**
 * Comments on news posts ("Wo genau ist die Baustelle?"). The composite foreign key to the
 * post needs (tenant_id, id) to be unique on news_posts, so no comment can point into another
 * tenant's post.
 */
export class Migration20261203000000NewsComments extends Migration {
  override up(): void {
    this.addSql(
      `alter table "news_posts" add constraint "news_posts_tenant_id_id_unique" unique ("tenant_id", "id");`,
    );
    this.addSql(`create table "news_comments" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "post_id" uuid not null,
      "author_id" uuid not null,
      "body" text not null,
      "hidden_at" timestamptz null,
      "hidden_by_member_id" uuid null,
      constraint "news_comments_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "news_comments_post_fk" foreign key ("tenant_id", "post_id") references "news_posts" ("tenant_id", "id") on delete cascade,
      constraint "news_comments_author_fk" foreign key ("tenant_id", "author_id") references "members" ("tenant_id", "id") on delete cascade,
      constraint "news_comments_hidden_by_fk" foreign key ("tenant_id", "hidden_by_member_id") references "members" ("tenant_id", "id") on delete set null ("hidden_by_member_id"));`);
    this.addSql(
      `create index "news_comments_tenant_id_post_id_created_at_index" on "news_comments" ("tenant_id", "post_id", "created_at");`,
    );
    for (const sql of tenantOwnedTableSql('news_comments', APP_ROLE)) this.addSql(sql);
  }

  override down(): void {
    this.addSql('drop table if exists "news_comments";');
    this.addSql('alter table "news_posts" drop constraint if exists "news_posts_tenant_id_id_unique";');
  }
}
