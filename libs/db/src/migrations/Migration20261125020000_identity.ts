import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';

/**
 * Identity: when a member was invited, requests to join groups, and the two narrow ways the app role reaches member
 * rows outside a tenant scope (see MEMBER_POLICIES in libs/members/src/member.entity.ts; the
 * SQL is repeated here because a migration must not change when the entity does).
 */
export class Migration20261125020000Identity extends Migration {
  override up(): void {
    this.addSql(`alter table "members" add column "invited_at" timestamptz null;`);
    const noTenant = `NULLIF(current_setting('app.tenant_id', true), '') IS NULL`;
    const userId = `NULLIF(current_setting('app.user_id', true), '')::uuid`;
    const verifiedEmail = `NULLIF(current_setting('app.verified_email', true), '')`;
    this.addSql(
      `create policy "members_of_signed_in_user" on "members" for select using (${noTenant} AND ` +
        `(user_id = ${userId} OR (user_id IS NULL AND email = ${verifiedEmail})));`,
    );
    this.addSql(
      `create policy "members_link_verified_email" on "members" for update ` +
        `using (${noTenant} AND user_id IS NULL AND email = ${verifiedEmail}) ` +
        `with check (${noTenant} AND user_id = ${userId} AND email = ${verifiedEmail});`,
    );

    this.addSql(`create table "group_join_requests" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "group_id" uuid not null,
      "user_id" uuid not null references "users" ("id") on delete cascade,
      "member_id" uuid null,
      "message" varchar(500) null,
      "status" text not null default 'pending'
        constraint "group_join_requests_status_check" check ("status" in ('pending', 'approved', 'declined')),
      "decided_by_member_id" uuid null,
      "decided_at" timestamptz null,
      constraint "group_join_requests_group_fk" foreign key ("tenant_id", "group_id") references "groups" ("tenant_id", "id") on delete cascade,
      constraint "group_join_requests_member_fk" foreign key ("tenant_id", "member_id") references "members" ("tenant_id", "id") on delete cascade,
      constraint "group_join_requests_decided_by_fk" foreign key ("tenant_id", "decided_by_member_id") references "members" ("tenant_id", "id") on delete set null ("decided_by_member_id"));`);
    this.addSql(
      `create index "group_join_requests_tenant_id_group_id_status_index" on "group_join_requests" ("tenant_id", "group_id", "status");`,
    );
    // One pending request per person and group (asking twice is the same request).
    this.addSql(
      `create unique index "group_join_requests_one_pending" on "group_join_requests" ("tenant_id", "group_id", "user_id") where "status" = 'pending';`,
    );
    this.addSql(`alter table "group_join_requests" enable row level security;`);
    this.addSql(`alter table "group_join_requests" force row level security;`);
    this.addSql(
      `create policy "tenant_isolation" on "group_join_requests" ` +
        `using (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid) ` +
        `with check (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);`,
    );
    this.addSql(`grant select, insert, update, delete on "group_join_requests" to "${APP_ROLE}";`);
  }

  override down(): void {
    this.addSql('drop table if exists "group_join_requests";');
    this.addSql(`drop policy "members_link_verified_email" on "members";`);
    this.addSql(`drop policy "members_of_signed_in_user" on "members";`);
    this.addSql(`alter table "members" drop column "invited_at";`);
  }
}
