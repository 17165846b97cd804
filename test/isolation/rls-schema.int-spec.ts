import type { Client } from 'pg';
import { APP_ROLE } from '@allmende/db';
import { connect } from '../support/fixtures';
import { testRun } from '../support/test-run';

/**
 * Every table with a `tenant_id` must have RLS enabled and forced, a policy on the
 * transaction-local setting, a non-null `tenant_id`, and indexes that lead with it.
 * Returns what is wrong, table by table.
 */
async function findTenancyGaps(client: Client): Promise<string[]> {
  const tables = await client.query<{
    table: string;
    rls: boolean;
    forced: boolean;
    nullable: boolean;
    policies: string[];
  }>(`
    select c.relname as table, c.relrowsecurity as rls, c.relforcerowsecurity as forced,
           not a.attnotnull as nullable,
           coalesce(array_agg(pg_get_expr(p.polqual, p.polrelid)) filter (where p.oid is not null), '{}') as policies
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
    left join pg_policy p on p.polrelid = c.oid
    where c.relkind in ('r', 'p')
    group by c.relname, c.relrowsecurity, c.relforcerowsecurity, a.attnotnull
    order by c.relname`);
  const gaps: string[] = [];
  for (const row of tables.rows) {
    if (!row.rls) gaps.push(`${row.table}: row-level security is not enabled`);
    if (!row.forced) gaps.push(`${row.table}: row-level security is not forced`);
    if (row.nullable) gaps.push(`${row.table}: tenant_id is nullable`);
    // The setting in a scalar subquery: read once per statement (an InitPlan), not per row.
    const tenantPolicy = row.policies.some((qual) =>
      /tenant_id = \( SELECT \(NULLIF\(current_setting\('app\.tenant_id'::text, true\), ''::text\)\)::uuid AS tenant_id\)/i.test(
        qual,
      ),
    );
    if (!tenantPolicy)
      gaps.push(`${row.table}: no policy on (select NULLIF(current_setting('app.tenant_id', true), ''))`);
  }
  const indexes = await client.query<{ table: string; index: string; first: string }>(`
    select t.relname as table, i.relname as index, a.attname as first
    from pg_index x
    join pg_class t on t.oid = x.indrelid
    join pg_class i on i.oid = x.indexrelid
    join pg_namespace n on n.oid = t.relnamespace and n.nspname = 'public'
    join pg_attribute a on a.attrelid = t.oid and a.attnum = x.indkey[0]
    where not x.indisprimary
      and exists (select 1 from pg_attribute ta where ta.attrelid = t.oid and ta.attname = 'tenant_id' and not ta.attisdropped)`);
  for (const row of indexes.rows) {
    if (row.first !== 'tenant_id') gaps.push(`${row.table}: index ${row.index} does not lead with tenant_id`);
  }
  return gaps;
}

describe('row-level security schema', () => {
  let owner: Client;

  beforeAll(async () => {
    owner = await connect(testRun().ownerUrl);
  });

  afterAll(async () => {
    await owner.end();
  });

  it('covers the tenant-owned tables', async () => {
    const result = await owner.query(
      `select table_name from information_schema.columns where table_schema = 'public' and column_name = 'tenant_id' order by 1`,
    );
    expect(result.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['group_members', 'groups', 'members']),
    );
  });

  it('every table with tenant_id has RLS enabled and forced, the tenant policy, and tenant-led indexes', async () => {
    expect(await findTenancyGaps(owner)).toEqual([]);
  });

  it('reports a table whose RLS is no longer forced, or disabled, or whose policy reads per row (the check can fail)', async () => {
    await owner.query('begin');
    try {
      await owner.query('alter table members no force row level security');
      await owner.query('alter table groups disable row level security');
      await owner.query('create index groups_key_only on groups (key)');
      // The policy as it was before 2026-12-04: isolating, but reading the setting per row.
      await owner.query(
        `alter policy tenant_isolation on events using (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)`,
      );
      expect(await findTenancyGaps(owner)).toEqual([
        "events: no policy on (select NULLIF(current_setting('app.tenant_id', true), ''))",
        'groups: row-level security is not enabled',
        'members: row-level security is not forced',
        'groups: index groups_key_only does not lead with tenant_id',
      ]);
    } finally {
      await owner.query('rollback');
    }
  });

  it('the app role is no superuser, cannot bypass RLS, owns nothing and cannot create tables', async () => {
    const role = await owner.query(
      `select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb,
              (select count(*)::int from pg_class where relowner = r.oid) as owned,
              has_schema_privilege(r.rolname, 'public', 'CREATE') as can_create
       from pg_roles r where rolname = $1`,
      [APP_ROLE],
    );
    expect(role.rows).toEqual([
      {
        rolsuper: false,
        rolbypassrls: false,
        rolcreaterole: false,
        rolcreatedb: false,
        owned: 0,
        can_create: false,
      },
    ]);
  });

  it('the app role may read and write the tables it needs', async () => {
    const privileges = await owner.query(
      `select c.relname as table,
              has_table_privilege($1, c.oid, 'SELECT, INSERT, UPDATE, DELETE') as dml
       from pg_class c join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
       where c.relkind = 'r' and c.relname <> 'mikro_orm_migrations' order by 1`,
      [APP_ROLE],
    );
    expect(privileges.rows.filter((row) => !row.dml)).toEqual([]);
  });
});
