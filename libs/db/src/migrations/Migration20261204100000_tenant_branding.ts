import { Migration } from '@mikro-orm/migrations';

/**
 * A community's look (DESIGN.md §7): one accent colour for the portal and its logo or coat of
 * arms. On `tenants` (a global table, like the name): both are public and shown beside the
 * name. The logo's bytes are TOASTed out of line, and the entity loads them lazily, so the
 * lookup every request makes stays small.
 */
export class Migration20261204100000TenantBranding extends Migration {
  override up(): void {
    this.addSql(`alter table "tenants"
      add column "accent_color" varchar(7) null,
      add column "logo" bytea null,
      add column "logo_media_type" varchar(32) null,
      add column "branding_updated_at" timestamptz null;`);
    // The portal puts the colour into a stylesheet: only #rrggbb ever gets there.
    this.addSql(
      `alter table "tenants" add constraint "tenants_accent_color_check" check ("accent_color" ~ '^#[0-9a-f]{6}$');`,
    );
    this.addSql(
      `alter table "tenants" add constraint "tenants_logo_check" check (("logo" is null) = ("logo_media_type" is null));`,
    );
  }

  override down(): void {
    this.addSql(`alter table "tenants"
      drop constraint if exists "tenants_logo_check",
      drop constraint if exists "tenants_accent_color_check",
      drop column if exists "branding_updated_at",
      drop column if exists "logo_media_type",
      drop column if exists "logo",
      drop column if exists "accent_color";`);
  }
}
