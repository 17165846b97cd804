/**
 * `npm run bench:rls-cost` (issue 9, benchmark 2): what forced row-level security costs the
 * feed query. The query is the one the API sends for a member's feed page (captured off the
 * wire, bench/pg-capture.ts). Timed one after the other on one connection each, BENCH_ITERATIONS
 * (default 2,000) times per run, medians of BENCH_RUNS runs (default 3):
 *
 * - **RLS (as the app runs it)**: the app role, the captured transaction as it went over the
 *   wire — `begin; set_config('app.tenant_id', …, true); <query>` as one simple query
 *   (libs/db/src/deferred-transaction-start.ts), then `commit` — the policy
 *   `tenant_id = current_setting('app.tenant_id')` filters.
 * - **explicit WHERE**: the same query with `tenant_id = $n` on every tenant-owned table it
 *   reads (`withExplicitTenant`), alone, by a role that row-level security does not apply to
 *   (the superuser: the schema owner cannot skip it, the tables FORCE it).
 * - **explicit WHERE, same transaction shape**: the latter sent as the app sends its query, to
 *   tell the policy's own cost from the transaction's.
 * - **RLS, one statement per round trip**: how the app sent it before 2026-12-08 (`begin`,
 *   `set_config`, the query, `commit`, each awaited), for reference.
 *
 * All variants must return the same rows (checked). Target: RLS ≤ 10 % slower.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, type QueryResult } from 'pg';
import {
  BENCH_MEMBER,
  captureRequestSql,
  seedCommunity,
  startStack,
  statementText,
  summarize,
  type LatencySummary,
} from './api-stack';
import type { CapturedStatement } from './pg-capture';
import { ROOT, describeMachine, log, median, writeDocSection, type Machine } from './support';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const TARGET_OVERHEAD = 0.1;
const SIZE = { posts: 1000, events: 20, calls: 2, bookings: 2, extraMembers: 0 };
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'rls-cost.json');

type VariantName = 'rls' | 'explicit' | 'explicitInTransaction' | 'rlsSeparate';
interface Variant {
  p50: number;
  mean: number;
  perRun: LatencySummary[];
}

interface BenchResult {
  date: string;
  runs: number;
  iterations: number;
  machine: Machine;
  community: typeof SIZE;
  query: string;
  rows: number;
  variants: Record<VariantName, Variant>;
  /** mean(RLS) / mean(explicit) − 1: the whole cost as the app pays it. */
  overhead: number;
  /** mean(RLS) / mean(explicit in the same transaction) − 1: the policy alone. */
  policyOverhead: number;
  /** mean(RLS, one statement per round trip) / mean(explicit) − 1: the cost before 2026-12-08. */
  separateOverhead: number;
  /** Whether the app sent the feed query as a transaction's first statement (else alone). */
  begins: boolean;
  target: { overhead: number; met: boolean };
}

/** `from news_posts`, quoted or not. */
const NEWS_POSTS = /\bfrom "?news_posts"?(?![\w"])/;

/** The statements a query went out with (libs/db/src/deferred-transaction-start.ts). */
const STATEMENT_SEPARATOR = ';\n';

interface FeedTransaction {
  /**
   * The wire text of the query that carried the feed's select: `set_config(…); <select>`, a
   * transaction of its own (TenantScope.execute), or `begin; set_config(…); <select>`, the
   * first statement of a transaction that a `commit` ends.
   */
  sent: string;
  /** Whether `sent` began a transaction (then the app sent a `commit` after it). */
  begins: boolean;
  /** The select alone. */
  query: CapturedStatement;
  tenantId: string;
}

/**
 * The captured query that holds the feed's select (the statement on news_posts with a LIMIT),
 * which the app sends together with the tenant setting, and the setting's tenant.
 */
function feedTransaction(statements: CapturedStatement[]): FeedTransaction {
  const isFeed = (sql: string) => NEWS_POSTS.test(sql) && /\blimit\b/i.test(sql);
  const sent = statements.find((statement) => isFeed(statement.sql));
  if (!sent) throw new Error('the captured feed request has no feed query');
  const parts = sent.sql.split(STATEMENT_SEPARATOR);
  const select = parts.find(isFeed)!;
  const begins = parts[0] === 'begin';
  const setting = parts.find((part) => /set_config\(\s*'app\.tenant_id'/.test(part));
  if (sent.params.length > 0)
    throw new Error(
      'the feed query went out with bound parameters: MikroORM inlines them, the variants assume it',
    );
  if (!setting || parts.at(-1) !== select || parts.length !== (begins ? 3 : 2))
    throw new Error(`the feed query did not go out with the tenant setting: ${statementText(sent.sql)}`);
  const tenantId = /'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'/.exec(setting)?.[1];
  if (!tenantId) throw new Error(`no tenant id in the setting: ${statementText(setting)}`);
  return { sent: sent.sql, begins, query: { ...sent, sql: select }, tenantId };
}

/** Words that can follow a table reference and are not its alias. */
const NOT_AN_ALIAS = '(?:where|join|left|right|inner|full|cross|on|order|group|limit|union|using|having)\\b';

/**
 * The query with every tenant-owned table it reads narrowed by an explicit `tenant_id = '<id>'`
 * (a literal, as MikroORM inlines its values: the app's query has no bound parameters, and so
 * the variants go out alike): each reference `from|join <table> [as] <alias>` becomes
 * `(select * from <table> where tenant_id = '<id>') as <alias>`. PostgreSQL pulls such subqueries
 * up into the query (the plan is that of a WHERE on the table), and it works for every table of
 * a join, where a condition in the outer WHERE would not reach a subquery's tables.
 */
function withExplicitTenant(
  query: CapturedStatement,
  tenantId: string,
  tenantTables: string[],
): { sql: string; params: (string | null)[] } {
  // The id comes from the captured setting, matched as a UUID: nothing to escape.
  const param = `'${tenantId}'`;
  const reference = new RegExp(
    `\\b(from|join)\\s+"?(${tenantTables.join('|')})"?(?![\\w"])(?:\\s+(?:as\\s+)?(?!${NOT_AN_ALIAS})("?\\w+"?))?`,
    'gi',
  );
  let narrowed = 0;
  const sql = query.sql.replace(reference, (_match, keyword: string, table: string, alias?: string) => {
    narrowed++;
    return `${keyword} (select * from "${table}" where tenant_id = ${param}) as ${alias ?? `"${table}"`}`;
  });
  if (narrowed === 0) throw new Error(`no tenant-owned table in: ${statementText(query.sql)}`);
  return { sql, params: query.params };
}

async function main(): Promise<void> {
  const stack = await startStack([BENCH_MEMBER]);
  const app = new Client({ connectionString: stack.db.appUrl });
  const superuser = new Client({ connectionString: stack.db.adminOnDatabase });
  try {
    log('seeding the community …');
    const community = await seedCommunity(stack.db, SIZE);
    const token = await stack.token(BENCH_MEMBER.email);
    const captured = await captureRequestSql(
      stack,
      `${stack.base}/api/tenants/${community.slug}/news/feed?limit=20`,
      { authorization: `Bearer ${token}` },
    );
    const { sent, begins, query, tenantId } = feedTransaction(captured);
    await app.connect();
    await superuser.connect();
    const tables = await superuser.query<{ table_name: string }>(
      `select distinct table_name from information_schema.columns
        where table_schema = 'public' and column_name = 'tenant_id'`,
    );
    const explicit = withExplicitTenant(
      query,
      tenantId,
      tables.rows.map((row) => row.table_name),
    );
    if (process.env.BENCH_VERBOSE) log(`explicit variant: ${explicit.sql}`);
    // What went out before the select in the same query: the tenant setting (and `begin`).
    const head = sent.slice(0, sent.length - query.sql.length);
    if (process.env.BENCH_EXPLAIN) {
      // The plan of the feed query as the app runs it (app role, the tenant setting).
      const plan = (await app.query(
        `${head}explain (analyze, buffers) ${query.sql}`,
      )) as unknown as QueryResult<{ 'QUERY PLAN': string }>[];
      if (begins) await app.query('rollback');
      log(
        `${query.sql}\n${plan
          .at(-1)!
          .rows.map((row) => row['QUERY PLAN'])
          .join('\n')}`,
      );
    }

    /** The select, sent as the app sends it: with the tenant setting (and a `commit` if it began a transaction). */
    const asTheAppSendsIt = async (client: Client, select: string, params: (string | null)[]) => {
      const results = (await client.query(head + select, params)) as unknown as QueryResult[];
      if (begins) await client.query('commit');
      return results.at(-1)!.rows;
    };
    const variants: Record<VariantName, () => Promise<unknown[]>> = {
      rls: () => asTheAppSendsIt(app, query.sql, query.params),
      explicit: async () => (await superuser.query(explicit.sql, explicit.params)).rows,
      explicitInTransaction: () => asTheAppSendsIt(superuser, explicit.sql, explicit.params),
      rlsSeparate: async () => {
        await app.query('begin');
        await app.query("select set_config('app.tenant_id', $1, true)", [tenantId]);
        const result = await app.query(query.sql, query.params);
        await app.query('commit');
        return result.rows;
      },
    };
    const expected = JSON.stringify(await variants.rls());
    const rows = (JSON.parse(expected) as unknown[]).length;
    if (rows === 0) throw new Error('the feed query returns no rows: nothing to measure');
    for (const [name, run] of Object.entries(variants)) {
      if (JSON.stringify(await run()) !== expected)
        throw new Error(`variant ${name} returns other rows than RLS`);
    }
    log(`feed query: ${rows} rows; ${statementText(query.sql, 200)}`);

    const perRun: Record<VariantName, LatencySummary[]> = {
      rls: [],
      explicit: [],
      explicitInTransaction: [],
      rlsSeparate: [],
    };
    for (const run of Object.values(variants)) for (let index = 0; index < 200; index++) await run();
    for (let round = 1; round <= RUNS; round++) {
      // The variants take turns, one execution each, so that a busy moment of the machine
      // falls on all of them alike.
      const entries = Object.entries(variants) as [VariantName, () => Promise<unknown[]>][];
      const times = new Map<VariantName, number[]>(entries.map(([name]) => [name, []]));
      for (let index = 0; index < ITERATIONS; index++) {
        for (const [name, run] of entries) {
          const started = performance.now();
          await run();
          times.get(name)!.push(performance.now() - started);
        }
      }
      for (const [name] of entries) perRun[name].push(summarize(times.get(name)!));
      log(
        `run ${round}: ` +
          (Object.keys(perRun) as VariantName[])
            .map((name) => `${name} mean ${perRun[name].at(-1)!.mean} ms (p50 ${perRun[name].at(-1)!.p50})`)
            .join('; '),
      );
    }
    const variant = (name: VariantName): Variant => ({
      p50: median(perRun[name].map((run) => run.p50)),
      mean: median(perRun[name].map((run) => run.mean)),
      perRun: perRun[name],
    });
    const results = {
      rls: variant('rls'),
      explicit: variant('explicit'),
      explicitInTransaction: variant('explicitInTransaction'),
      rlsSeparate: variant('rlsSeparate'),
    };
    const ratio = (a: number, b: number) => Math.round((a / b - 1) * 1000) / 1000;
    const overhead = ratio(results.rls.mean, results.explicit.mean);
    const result: BenchResult = {
      date: new Date().toISOString().slice(0, 10),
      runs: RUNS,
      iterations: ITERATIONS,
      machine: await describeMachine(stack.db.ownerUrl, stack.db.source),
      community: SIZE,
      query: statementText(query.sql, 400),
      rows,
      variants: results,
      overhead,
      policyOverhead: ratio(results.rls.mean, results.explicitInTransaction.mean),
      separateOverhead: ratio(results.rlsSeparate.mean, results.explicit.mean),
      begins,
      target: { overhead: TARGET_OVERHEAD, met: overhead <= TARGET_OVERHEAD },
    };
    log(
      `RLS cost: ${(overhead * 100).toFixed(1)} % over the explicit WHERE (target ≤ ${TARGET_OVERHEAD * 100} %: ` +
        `${result.target.met ? 'met' : 'MISSED'}); the policy alone (same transaction): ${(result.policyOverhead * 100).toFixed(1)} %`,
    );
    if (process.env.BENCH_NO_WRITE) return;
    await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    await writeDocSection('rls-cost', docSection(result));
    log(`wrote ${RESULTS_FILE} and docs/benchmarks.md`);
  } finally {
    await app.end().catch(() => undefined);
    await superuser.end().catch(() => undefined);
    await stack.close();
  }
}

function docSection(result: BenchResult): string {
  const { machine, variants } = result;
  const percent = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} %`;
  return `## Row-level security cost (\`npm run bench:rls-cost\`)

\`bench/rls-cost.bench.ts\`: the feed query the API sends for a member's feed page (captured off the
wire; ${result.rows} rows from ${result.community.posts.toLocaleString('en-US')} posts), run ${result.iterations.toLocaleString('en-US')} times one after the other on one connection per
variant (the variants take turns, one execution each), ${result.runs} runs, medians (ms per execution,
client side, loopback):

- **RLS, as the app runs it**: the app role (no BYPASSRLS); ${
    result.begins
      ? `\`begin\`, \`set_config('app.tenant_id', …, true)\` and the query go out as one simple query (a
  transaction's first statement carries its start, \`libs/db/src/deferred-transaction-start.ts\`), then \`commit\``
      : `\`set_config('app.tenant_id', …, true)\` and the query go out as one simple query, which PostgreSQL
  runs as one implicit transaction (\`TenantScope.execute\`, \`libs/db/src/deferred-transaction-start.ts\`: no \`begin\`, no \`commit\`)`
  }; the forced policy filters by tenant.
- **explicit WHERE**: the same query with \`tenant_id = '…'\` added, alone, as the superuser (row-level
  security does not apply to it; the schema owner cannot skip it, the tables FORCE it).
- **explicit WHERE in the same transaction**: the latter sent as the app sends its query, so that
  only the policy differs from the first row.
- **RLS, one statement per round trip**: \`begin\`, \`set_config\`, the query and \`commit\` each sent
  and awaited on its own, as the app did before 2026-12-08 (for reference).

All variants return the same rows (checked). Machine: ${machine.cpus} CPUs, ${machine.cpu}; PostgreSQL ${machine.postgres}
(${machine.postgresSource}). Run on ${result.date}.

| variant | mean | p50 | vs. explicit WHERE |
| --- | --: | --: | --: |
| RLS, as the app runs it | ${variants.rls.mean} | ${variants.rls.p50} | ${percent(result.overhead)} |
| explicit WHERE | ${variants.explicit.mean} | ${variants.explicit.p50} | |
| explicit WHERE in the same transaction | ${variants.explicitInTransaction.mean} | ${variants.explicitInTransaction.p50} | RLS ${percent(result.policyOverhead)} vs. this |
| RLS, one statement per round trip (before) | ${variants.rlsSeparate.mean} | ${variants.rlsSeparate.p50} | ${percent(result.separateOverhead)} |

Target ≤ ${result.target.overhead * 100} % slower: ${result.target.met ? 'met' : '**missed**'} (${percent(result.overhead)} as the app pays it; the policy itself ${percent(result.policyOverhead)}).

The query: \`${result.query.replace(/`/g, "'")}\``;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench:rls-cost failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
