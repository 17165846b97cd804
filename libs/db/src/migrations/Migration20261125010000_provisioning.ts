import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles';

/**
 * What tenant provisioning needs: the template and digest defaults of a tenant, members'
 * phone numbers, the order of groups, the modules of each group with their settings, and
 * bookable resources.
 */
export class Migration20261125010000Provisioning extends Migration {
  override up(): void {
    this.addSql(`alter table "tenants"
      add column "template" varchar(63) null,
      add column "digest_defaults" jsonb not null default '{"frequency":"daily","hour":7,"weekday":1}'::jsonb;`);
    this.addSql(`alter table "members" add column "phone" varchar(50) null;`);
    this.addSql(`alter table "groups" add column "position" int not null default 0;`);

    this.addSql(`create table "group_modules" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "group_id" uuid not null,
      "module" text not null constraint "group_modules_module_check"
        check ("module" in ('news', 'listings', 'volunteering', 'booking', 'events', 'polls', 'discussions', 'files')),
      "settings" jsonb not null,
      constraint "group_modules_group_fk" foreign key ("tenant_id", "group_id") references "groups" ("tenant_id", "id") on delete cascade,
      constraint "group_modules_tenant_id_group_id_module_unique" unique ("tenant_id", "group_id", "module"));`);

    this.addSql(`create table "bookable_resources" (
      "id" uuid not null primary key,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      "tenant_id" uuid not null references "tenants" ("id") on delete cascade,
      "group_id" uuid not null,
      "key" varchar(63) not null,
      "name" jsonb not null,
      "description" jsonb null,
      "place" varchar(200) null,
      "capacity" int null,
      "min_hours" double precision not null,
      "max_hours" double precision not null,
      "lead_time_days" int not null,
      "window_days" int not null,
      "approval_required" boolean not null,
      "fee" jsonb null,
      "deposit_cents" int null,
      "house_rules" jsonb null,
      constraint "bookable_resources_group_fk" foreign key ("tenant_id", "group_id") references "groups" ("tenant_id", "id") on delete cascade,
      constraint "bookable_resources_tenant_id_id_unique" unique ("tenant_id", "id"),
      constraint "bookable_resources_tenant_id_group_id_key_unique" unique ("tenant_id", "group_id", "key"));`);

    for (const table of ['group_modules', 'bookable_resources']) {
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`alter table "${table}" force row level security;`);
      this.addSql(
        `create policy "tenant_isolation" on "${table}" ` +
          `using (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid) ` +
          `with check (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);`,
      );
      this.addSql(`grant select, insert, update, delete on "${table}" to "${APP_ROLE}";`);
    }
  }

  override down(): void {
    this.addSql('drop table if exists "bookable_resources", "group_modules" cascade;');
    this.addSql('alter table "members" drop column if exists "phone";');
    this.addSql('alter table "groups" drop column if exists "position";');
    this.addSql(
      'alter table "tenants" drop column if exists "template", drop column if exists "digest_defaults";',
    );
  }
}
