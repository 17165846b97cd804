/**
 * What every tenant-owned table gets after `create table`: row-level security enabled and
 * forced, the tenant policy, and the app role's DML rights. For migrations from 2026-11-25
 * on (earlier ones spell it out; a migration must not change once released, so this text
 * must not change either — add a new helper instead).
 */
export function tenantOwnedTableSql(table: string, appRole: string): string[] {
  const tenant = `tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid`;
  return [
    `alter table "${table}" enable row level security;`,
    `alter table "${table}" force row level security;`,
    `create policy "tenant_isolation" on "${table}" using (${tenant}) with check (${tenant});`,
    `grant select, insert, update, delete on "${table}" to "${appRole}";`,
  ];
}

/**
 * As `tenantOwnedTableSql`, with the tenant policy that reads the setting once per statement
 * (Migration20261204000000_tenant_policy_once): for migrations from 2026-12-04 on.
 */
export function tenantOwnedTableSqlOnce(table: string, appRole: string): string[] {
  const tenant = `tenant_id = (select NULLIF(current_setting('app.tenant_id', true), '')::uuid as tenant_id)`;
  return [
    `alter table "${table}" enable row level security;`,
    `alter table "${table}" force row level security;`,
    `create policy "tenant_isolation" on "${table}" using (${tenant}) with check (${tenant});`,
    `grant select, insert, update, delete on "${table}" to "${appRole}";`,
  ];
}
