import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';

/**
 * Global tables (tenants, users), the first tenant-owned tables (members, groups,
 * group_members) with forced row-level security, and the app role's privileges.
 */
export class Migration20261125000000Foundation extends Migration {
  override up(): void {
    // The app role is cluster-wide, so it is created outside migrations (docker/postgres
    // init SQL, `allmende dev`, the test setup). Fail with a clear message without it.
    this.addSql(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = '${APP_ROLE}') then
        raise exception 'database role "${APP_ROLE}" is missing: create it first (see docker/postgres/10-roles.sh)';
      end if;
    end $$;`);

    this.addSql(`create table "tenants" (
      "id" uuid not null primary key,
      "slug" varchar(63) not null constraint "tenants_slug_unique" unique
        constraint "tenants_slug_check" check ("slug" ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
      "name" varchar(200) not null,
      "kind" text not null constraint "tenants_kind_check" check ("kind" in ('municipality', 'church', 'sports_club', 'school', 'nonprofit')),
      "locale" text not null default 'de' constraint "tenants_locale_check" check ("locale" in ('de', 'en')),
      "timezone" varchar(64) not null default 'Europe/Berlin',
      "status" text not null default 'active' constraint "tenants_status_check" check ("status" in ('active', 'suspended', 'archived')),
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now());`);

    this.addSql(`create table "users" (
      "id" uuid not null primary key,
      "oidc_subject" varchar(255) not null constraint "users_oidc_subject_unique" unique,
      "email" varchar(320) null,
      "email_verified" boolean not null default false,
      "display_name" varchar(200) null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now());`);
    this.addSql(`create index "users_email_index" on "users" ("email");`);

    this.addSql(`create table "members" (
      "id" uuid not null primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "email" varchar(320) not null constraint "members_email_lower_check" check ("email" = lower("email")),
      "given_name" varchar(100) not null,
      "family_name" varchar(100) not null,
      "role" text not null default 'member' constraint "members_role_check" check ("role" in ('tenant_admin', 'member')),
      "user_id" uuid null references "users" ("id") on delete set null,
      constraint "members_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "members_tenant_id_email_unique" unique ("tenant_id", "email"));`);
    this.addSql(`create index "members_tenant_id_user_id_index" on "members" ("tenant_id", "user_id");`);

    this.addSql(`create table "groups" (
      "id" uuid not null primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "key" varchar(63) not null,
      "name" jsonb not null,
      "description" jsonb null,
      "visibility" text not null default 'members' constraint "groups_visibility_check" check ("visibility" in ('public', 'members', 'private')),
      "join_policy" text not null default 'request' constraint "groups_join_policy_check" check ("join_policy" in ('open', 'request', 'invite')),
      constraint "groups_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "groups_tenant_id_key_unique" unique ("tenant_id", "key"));`);

    // Composite foreign keys: a group membership can only point into its own tenant.
    this.addSql(`create table "group_members" (
      "id" uuid not null primary key,
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "group_id" uuid not null,
      "member_id" uuid not null,
      "role" text not null default 'member' constraint "group_members_role_check" check ("role" in ('group_admin', 'member')),
      constraint "group_members_group_fk" foreign key ("tenant_id", "group_id") references "groups" ("tenant_id", "id") on delete cascade,
      constraint "group_members_member_fk" foreign key ("tenant_id", "member_id") references "members" ("tenant_id", "id") on delete cascade,
      constraint "group_members_tenant_id_group_id_member_id_unique" unique ("tenant_id", "group_id", "member_id"));`);
    this.addSql(
      `create index "group_members_tenant_id_member_id_index" on "group_members" ("tenant_id", "member_id");`,
    );

    for (const table of ['members', 'groups', 'group_members']) {
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`alter table "${table}" force row level security;`);
      this.addSql(
        `create policy "tenant_isolation" on "${table}" ` +
          `using (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid) ` +
          `with check (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);`,
      );
    }

    this.addSql(`grant usage on schema public to "${APP_ROLE}";`);
    this.addSql(
      `grant select, insert, update, delete on "tenants", "users", "members", "groups", "group_members" to "${APP_ROLE}";`,
    );
    this.addSql(`grant select on "mikro_orm_migrations" to "${APP_ROLE}";`);
  }

  override down(): void {
    this.addSql('drop table if exists "group_members", "groups", "members", "users", "tenants" cascade;');
  }
}
