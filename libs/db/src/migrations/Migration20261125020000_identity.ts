import { Migration } from '@mikro-orm/migrations';

/**
 * Identity: when a member was invited, and the two narrow ways the app role reaches member
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
  }

  override down(): void {
    this.addSql(`drop policy "members_link_verified_email" on "members";`);
    this.addSql(`drop policy "members_of_signed_in_user" on "members";`);
    this.addSql(`alter table "members" drop column "invited_at";`);
  }
}
