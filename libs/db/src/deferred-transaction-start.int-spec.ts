import { MikroORM } from '@mikro-orm/postgresql';
import { Client, Pool, type PoolClient } from 'pg';
import { openOrm, seedTenant } from '../../../test/support/fixtures';
import { testRun } from '../../../test/support/test-run';
import { deferTransactionStarts, transactionPrelude } from './deferred-transaction-start';
import { TenantScope } from './tenancy/tenant-scope';

const SETTING = "select current_setting('app.tenant_id', true) as tenant";
const PRELUDE = ["select set_config('app.tenant_id', 'tenant-a', true)"];

/** What went out on the wire: every call of pg's own `Client#query`, as text. */
function wireLog(): { sent: string[]; restore: () => void } {
  const sent: string[] = [];
  const original = Client.prototype.query;
  const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (
    this: Client,
    ...args: unknown[]
  ) {
    const [text] = args;
    sent.push(typeof text === 'string' ? text : `<${(text as object).constructor.name}>`);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as never);
  return { sent, restore: () => spy.mockRestore() };
}

describe('deferred transaction start (pg pool)', () => {
  let pool: Pool;
  let wire: ReturnType<typeof wireLog>;

  beforeEach(() => {
    // The spy must be in place before the pool's clients bind their query method.
    wire = wireLog();
    pool = new Pool({ connectionString: testRun().appUrl, max: 1 });
    deferTransactionStarts(pool);
  });

  afterEach(async () => {
    await pool.end();
    wire.restore();
  });

  /** A client checked out with `prelude` as its holder's transaction prelude, in a transaction. */
  async function begin(prelude: readonly string[] = PRELUDE): Promise<PoolClient> {
    const client = await transactionPrelude.run(prelude, () => pool.connect());
    await client.query('begin');
    return client;
  }

  it('sends begin, the prelude and the first statement as one query, and answers with the statement', async () => {
    const client = await begin();
    const first = await client.query(SETTING);
    const second = await client.query(SETTING);
    await client.query('commit');
    client.release();

    expect(first.rows).toEqual([{ tenant: 'tenant-a' }]);
    expect(first.command).toBe('SELECT');
    expect(second.rows).toEqual([{ tenant: 'tenant-a' }]);
    expect(wire.sent).toEqual([`begin;\n${PRELUDE[0]};\n${SETTING}`, SETTING, 'commit']);
  });

  it('ends a transaction that sent nothing without a round trip, and leaves no setting behind', async () => {
    const client = await begin();
    await client.query('commit');
    const after = await client.query(SETTING);
    client.release();

    expect(after.rows[0].tenant ?? '').toBe('');
    expect(wire.sent).toEqual([SETTING]);
  });

  it('answers with the prelude’s error when the prelude fails; the statement does not run', async () => {
    const client = await begin(['select 1/0']);
    await expect(client.query("select 'never' as x")).rejects.toThrow('division by zero');
    await client.query('rollback');
    expect((await client.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    client.release();
  });

  it('points a syntax error at the caller’s own statement', async () => {
    const client = await begin();
    const error = await client.query('select 1 fromm news_posts').catch((caught: unknown) => caught);
    await client.query('rollback');
    client.release();

    expect((error as Error).message).toMatch(/syntax error at or near "news_posts"/);
    expect((error as { position: string }).position).toBe(String('select 1 fromm '.length + 1));
  });

  it('sends the start as its own query before a statement with bound parameters', async () => {
    const client = await begin();
    const result = await client.query(
      "select current_setting('app.tenant_id', true) as tenant, $1::int as n",
      [7],
    );
    await client.query('rollback');
    client.release();

    expect(result.rows).toEqual([{ tenant: 'tenant-a', n: 7 }]);
    expect(wire.sent.slice(0, 2)).toEqual([`begin;\n${PRELUDE[0]}`, expect.stringContaining('$1::int')]);
  });

  it('binds a prelude to the client its holder checked out, not to the async context', async () => {
    const client = await pool.connect();
    // A query on this client made while someone else's prelude is the current context.
    await transactionPrelude.run(PRELUDE, () => client.query('begin'));
    const result = await client.query(SETTING);
    await client.query('rollback');
    client.release();

    expect(result.rows[0].tenant ?? '').toBe('');
    expect(wire.sent.some((text) => text.includes('tenant-a'))).toBe(false);
  });

  it('never hands a kept start to the next holder of the connection', async () => {
    const first = await begin();
    first.release();
    const next = await pool.connect();
    const result = await next.query(SETTING);
    const inTransaction = await next.query('select pg_current_xact_id_if_assigned() is not null as open');
    next.release();

    expect(result.rows[0].tenant ?? '').toBe('');
    expect(inTransaction.rows).toEqual([{ open: false }]);
    expect(wire.sent.some((text) => text.includes('tenant-a'))).toBe(false);
  });
});

describe('deferred transaction start (MikroORM, TenantScope)', () => {
  let orm: MikroORM;
  let wire: ReturnType<typeof wireLog>;

  beforeAll(async () => {
    wire = wireLog();
    orm = await openOrm({ poolMax: 1 });
  });

  afterAll(async () => {
    await orm.close(true);
    wire.restore();
  });

  it('sends a tenant read as two queries: begin, the setting and the query; commit', async () => {
    const tenant = (await seedTenant(orm, 'Deferred')).tenant;
    const scope = new TenantScope(orm);
    wire.sent.length = 0;

    const rows = await scope.run(tenant.id, () =>
      scope.read((em) => em.execute<{ tenant: string }[]>(SETTING)),
    );

    expect(rows).toEqual([{ tenant: tenant.id }]);
    expect(wire.sent).toEqual([
      `begin;\nselect set_config('app.tenant_id', '${tenant.id}', true);\n${SETTING}`,
      'commit',
    ]);
  });

  it('sends the start before a streamed query (a cursor)', async () => {
    const tenant = (await seedTenant(orm, 'Deferred Stream')).tenant;
    const scope = new TenantScope(orm);
    wire.sent.length = 0;

    const rows = await scope.run(tenant.id, () =>
      scope.read(async (em) => {
        const streamed: unknown[] = [];
        for await (const row of em.getConnection().stream(SETTING, [], em.getTransactionContext()))
          streamed.push(row);
        return streamed;
      }),
    );

    expect(rows).toEqual([{ tenant: tenant.id }]);
    expect(wire.sent).toEqual([
      `begin;\nselect set_config('app.tenant_id', '${tenant.id}', true)`,
      '<Cursor>',
      'commit',
    ]);
  });

  it('sends a statement alone (TenantScope.execute) as one query: the setting and the statement, no begin, no commit', async () => {
    const tenant = (await seedTenant(orm, 'Deferred Alone')).tenant;
    const scope = new TenantScope(orm);
    wire.sent.length = 0;

    const rows = await scope.run(tenant.id, () => scope.execute<{ tenant: string }[]>(SETTING));

    expect(rows).toEqual([{ tenant: tenant.id }]);
    expect(wire.sent).toEqual([`select set_config('app.tenant_id', '${tenant.id}', true);\n${SETTING}`]);
  });

  it('commits a write alone before it answers, under row-level security', async () => {
    const seeded = await seedTenant(orm, 'Deferred Write');
    const other = await seedTenant(orm, 'Deferred Other');
    const scope = new TenantScope(orm);
    const rename = (groupId: string) =>
      scope.run(seeded.tenant.id, () =>
        scope.execute<{ id: string }[]>('update groups set key = ? where id = ? returning id', [
          'renamed-alone',
          groupId,
        ]),
      );

    expect(await rename(seeded.groups[0]!.id)).toEqual([{ id: seeded.groups[0]!.id }]);
    // The other tenant's group is not even visible to the statement.
    expect(await rename(other.groups[0]!.id)).toEqual([]);
    const superuser = new Client({ connectionString: testRun().adminUrl });
    await superuser.connect();
    try {
      const { rows } = await superuser.query<{ id: string }>(
        "select id from groups where key = 'renamed-alone'",
      );
      expect(rows).toEqual([{ id: seeded.groups[0]!.id }]);
    } finally {
      await superuser.end();
    }
  });

  it('joins the transaction it is made in', async () => {
    const tenant = (await seedTenant(orm, 'Deferred Joined')).tenant;
    const scope = new TenantScope(orm);
    wire.sent.length = 0;

    const rows = await scope.run(tenant.id, () =>
      scope.read(async () => {
        await scope.execute(SETTING);
        return scope.execute<{ tenant: string }[]>(SETTING);
      }),
    );

    expect(rows).toEqual([{ tenant: tenant.id }]);
    expect(wire.sent).toEqual([
      `begin;\nselect set_config('app.tenant_id', '${tenant.id}', true);\n${SETTING}`,
      SETTING,
      'commit',
    ]);
  });

  it('rolls back a failing statement alone', async () => {
    const tenant = (await seedTenant(orm, 'Deferred Failing')).tenant;
    const scope = new TenantScope(orm);
    await expect(scope.run(tenant.id, () => scope.execute('select 1/0'))).rejects.toThrow('division by zero');
    expect(await scope.run(tenant.id, () => scope.execute<{ tenant: string }[]>(SETTING))).toEqual([
      { tenant: tenant.id },
    ]);
  });

  it('rolls back a failing first statement and keeps the connection usable', async () => {
    const tenant = (await seedTenant(orm, 'Deferred Two')).tenant;
    const scope = new TenantScope(orm);

    await expect(scope.run(tenant.id, () => scope.read((em) => em.execute('select 1/0')))).rejects.toThrow(
      'division by zero',
    );
    const rows = await scope.run(tenant.id, () =>
      scope.read((em) => em.execute<{ tenant: string }[]>(SETTING)),
    );
    expect(rows).toEqual([{ tenant: tenant.id }]);
  });
});
