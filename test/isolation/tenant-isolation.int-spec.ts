import { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from 'pg';
import { TenantScope, TenantScopeMissingError } from '@allmende/db';
import { GroupMemberSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { connect, openOrm, seedTenant, type SeededTenant } from '../support/fixtures';
import { testRun } from '../support/test-run';

/**
 * Tenant B cannot read or write tenant A's rows: through the ORM, through raw SQL on the
 * app role, or with the MikroORM filter disabled. Without a tenant: no rows, no inserts.
 */
describe('tenant isolation', () => {
  let orm: MikroORM;
  let scope: TenantScope;
  let a: SeededTenant;
  let b: SeededTenant;
  let app: Client;
  /** Every table with a tenant_id, so a new tenant-owned table is covered without editing this test. */
  let tenantTables: string[];

  beforeAll(async () => {
    orm = await openOrm();
    scope = new TenantScope(orm);
    a = await seedTenant(orm, 'A');
    b = await seedTenant(orm, 'B');
    app = await connect();
    const tables = await app.query<{ table_name: string }>(
      `select table_name from information_schema.columns
       where table_schema = 'public' and column_name = 'tenant_id' order by table_name`,
    );
    tenantTables = tables.rows.map((row) => row.table_name);
  });

  afterAll(async () => {
    await app.end();
    await orm.close(true);
  });

  /** Runs SQL as the app role with `app.tenant_id` set transaction-locally, then rolls back. */
  async function asTenant<T>(tenantId: string | null, fn: () => Promise<T>): Promise<T> {
    await app.query('begin');
    try {
      if (tenantId) await app.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
      return await fn();
    } finally {
      await app.query('rollback');
    }
  }

  describe('through the ORM', () => {
    it('B reads only its own members, groups and memberships', async () => {
      await scope.run(b.tenant.id, async (em) => {
        const members = await em.find(MemberSchema, {});
        const groups = await em.find(GroupSchema, {});
        const memberships = await em.find(GroupMemberSchema, {});
        expect(members.map((m) => m.tenantId)).toEqual([b.tenant.id, b.tenant.id]);
        expect(groups.every((g) => g.tenantId === b.tenant.id)).toBe(true);
        expect(memberships.every((gm) => gm.tenantId === b.tenant.id)).toBe(true);
        expect(await em.findOne(MemberSchema, { id: a.members[0]!.id })).toBeNull();
      });
    });

    it('B cannot see A with the tenant filter disabled: RLS still holds', async () => {
      await scope.run(b.tenant.id, async (em) => {
        const members = await em.find(MemberSchema, { id: a.members.map((m) => m.id) }, { filters: false });
        expect(members).toEqual([]);
        const all = await em.find(MemberSchema, {}, { filters: false });
        expect(all.length).toBe(2);
        expect(all.every((m) => m.tenantId === b.tenant.id)).toBe(true);
      });
    });

    it('B cannot update or delete A rows', async () => {
      await scope.run(b.tenant.id, async (em) => {
        const updated = await em.nativeUpdate(
          MemberSchema,
          { id: a.members[0]!.id },
          { givenName: 'Hacked' },
          { filters: false },
        );
        const deleted = await em.nativeDelete(GroupSchema, { id: a.groups[0]!.id }, { filters: false });
        expect(updated).toBe(0);
        expect(deleted).toBe(0);
      });
      await scope.run(a.tenant.id, async (em) => {
        const member = await em.findOneOrFail(MemberSchema, { id: a.members[0]!.id });
        expect(member.givenName).toBe('Anna');
        expect(await em.count(GroupSchema, { id: a.groups[0]!.id })).toBe(1);
      });
    });

    it('B cannot create rows in A, not even by naming A explicitly', async () => {
      await expect(
        scope.run(b.tenant.id, async (em) => {
          em.create(MemberSchema, {
            tenantId: a.tenant.id,
            email: 'intruder@example.org',
            givenName: 'Eve',
            familyName: 'Intruder',
          });
          await em.flush();
        }),
      ).rejects.toThrow(/another tenant/);
      await scope.run(a.tenant.id, async (em) => {
        expect(await em.count(MemberSchema, { email: 'intruder@example.org' })).toBe(0);
      });
    });

    it('B cannot attach its member to A group: the composite foreign key refuses', async () => {
      await expect(
        scope.run(b.tenant.id, async (em) => {
          em.create(GroupMemberSchema, {
            group: em.getReference(GroupSchema, a.groups[0]!.id),
            member: em.getReference(MemberSchema, b.members[0]!.id),
          });
          await em.flush();
        }),
      ).rejects.toThrow(/group_members_group_fk/);
    });

    it('outside a tenant scope, tenant-owned reads and writes throw', async () => {
      const em = orm.em.fork();
      await expect(em.find(MemberSchema, {})).rejects.toThrow(TenantScopeMissingError);
      expect(() => em.create(GroupSchema, { key: 'x', name: { de: 'X' } })).toThrow(TenantScopeMissingError);
    });
  });

  describe('one transaction per read (TenantScope.read)', () => {
    const txid = (em: { execute: MikroORM['em']['execute'] }) =>
      em.execute<{ id: string }[]>('select txid_current()::text as id').then((rows) => rows[0]!.id);

    it("runs the read's queries, also through em(), in one transaction with the tenant set", async () => {
      await scope.run(b.tenant.id, async () => {
        const ids = await scope.read(async (em) => {
          const first = await txid(em);
          const second = await txid(scope.em());
          const nested = await scope.read(async (inner) => txid(inner));
          const members = await scope.em().find(MemberSchema, {}, { filters: false });
          return { first, second, nested, members };
        });
        expect(ids.second).toBe(ids.first);
        expect(ids.nested).toBe(ids.first);
        expect(ids.members.length).toBeGreaterThan(0);
        expect(ids.members.every((member) => member.tenantId === b.tenant.id)).toBe(true);
        // Outside the read, each query is a transaction of its own again.
        expect(await txid(scope.em())).not.toBe(await txid(scope.em()));
      });
    });

    it("a scope opened inside another tenant's transaction is its own: it does not join it", async () => {
      await scope.run(a.tenant.id, () =>
        scope.read(async () => {
          const inner = await scope.run(b.tenant.id, () =>
            scope.em().find(MemberSchema, {}, { filters: false }),
          );
          expect(inner.length).toBeGreaterThan(0);
          expect(inner.every((member) => member.tenantId === b.tenant.id)).toBe(true);
        }),
      );
    });

    it('outside a tenant scope, read throws', async () => {
      await expect(scope.read(async () => 1)).rejects.toThrow(TenantScopeMissingError);
    });
  });

  describe('through raw SQL on the app role', () => {
    it('covers every tenant-owned table', () => {
      expect(tenantTables).toEqual(
        expect.arrayContaining(['bookable_resources', 'group_members', 'group_modules', 'groups', 'members']),
      );
    });

    it('B sees none of A rows, even when asking for them by tenant_id', async () => {
      await asTenant(b.tenant.id, async () => {
        for (const table of tenantTables) {
          const leaked = await app.query(`select count(*)::int as n from ${table} where tenant_id = $1`, [
            a.tenant.id,
          ]);
          const own = await app.query(`select count(*)::int as n from ${table}`);
          expect({ table, leaked: leaked.rows[0].n }).toEqual({ table, leaked: 0 });
          expect(own.rows[0].n).toBeGreaterThan(0);
        }
      });
    });

    it('B cannot update, delete or insert A rows', async () => {
      await asTenant(b.tenant.id, async () => {
        for (const table of tenantTables) {
          const updated = await app.query(`update ${table} set updated_at = now() where tenant_id = $1`, [
            a.tenant.id,
          ]);
          const deleted = await app.query(`delete from ${table} where tenant_id = $1`, [a.tenant.id]);
          expect({ table, updated: updated.rowCount, deleted: deleted.rowCount }).toEqual({
            table,
            updated: 0,
            deleted: 0,
          });
        }
      });
      await expect(
        asTenant(b.tenant.id, () =>
          app.query(
            `insert into members (id, tenant_id, email, given_name, family_name) values (gen_random_uuid(), $1, 'x@example.org', 'X', 'Y')`,
            [a.tenant.id],
          ),
        ),
      ).rejects.toThrow(/row-level security/);
      // Moving an own row into A is refused by WITH CHECK as well.
      await expect(
        asTenant(b.tenant.id, () =>
          app.query('update members set tenant_id = $1 where id = $2', [a.tenant.id, b.members[0]!.id]),
        ),
      ).rejects.toThrow(/row-level security/);
    });

    it('with no tenant set: no rows, and inserts are refused', async () => {
      await asTenant(null, async () => {
        for (const table of tenantTables) {
          const rows = await app.query(`select count(*)::int as n from ${table}`);
          expect({ table, rows: rows.rows[0].n }).toEqual({ table, rows: 0 });
        }
      });
      // An empty setting (what a pooled connection shows after a transaction) is "no tenant" too.
      await asTenant(null, async () => {
        await app.query(`select set_config('app.tenant_id', '', true)`);
        const rows = await app.query('select count(*)::int as n from members');
        expect(rows.rows[0].n).toBe(0);
      });
      await expect(
        asTenant(null, () =>
          app.query(
            `insert into groups (id, tenant_id, key, name) values (gen_random_uuid(), $1, 'k', '{"de":"K"}')`,
            [a.tenant.id],
          ),
        ),
      ).rejects.toThrow(/row-level security/);
    });

    it('the setting is transaction-local: it is gone after commit on the same connection', async () => {
      await app.query('begin');
      await app.query(`select set_config('app.tenant_id', $1, true)`, [a.tenant.id]);
      const inside = await app.query('select count(*)::int as n from members');
      await app.query('commit');
      const after = await app.query('select count(*)::int as n from members');
      expect(inside.rows[0].n).toBe(2);
      expect(after.rows[0].n).toBe(0);
    });

    it('even the owner role sees nothing without a tenant (RLS is forced)', async () => {
      const owner = await connect(testRun().ownerUrl);
      try {
        const rows = await owner.query('select count(*)::int as n from members');
        expect(rows.rows[0].n).toBe(0);
      } finally {
        await owner.end();
      }
    });
  });

  describe('the checks above fail when RLS is removed', () => {
    it('without row-level security on members, B reads A members', async () => {
      // A superuser disables RLS inside a transaction that is rolled back, then reads as
      // the app role with B's tenant set: A's rows appear, so the checks above would fail.
      const admin = await connect(testRun().adminUrl);
      try {
        await admin.query('begin');
        await admin.query('alter table members disable row level security');
        await admin.query('set local role allmende_app');
        await admin.query(`select set_config('app.tenant_id', $1, true)`, [b.tenant.id]);
        const leaked = await admin.query('select count(*)::int as n from members where tenant_id = $1', [
          a.tenant.id,
        ]);
        expect(leaked.rows[0].n).toBe(2);
      } finally {
        await admin.query('rollback');
        await admin.end();
      }
    });
  });
});
