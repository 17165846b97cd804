/**
 * `npm run bench:portal-home` (issue 8): the portal home page `/t/<slug>/` of a community with
 * 1,000 news posts, 200 events, calls for volunteers and a booked Grillhütte, served by the
 * real built API (a process of its own), for a signed-in member (session cookie from a real
 * sign-in at the dev identity provider) and anonymously. Sequential requests on loopback:
 * request→response time measured by the client, and pino-http's `responseTime` from the
 * API's log. The baseline, in the same run: the SQL the page runs (captured off the wire by
 * bench/pg-capture.ts with the API behind it, then replayed with pg on a pool of its own),
 * timed the same way; ratio page/SQL. Medians of BENCH_RUNS runs (default 3) of
 * BENCH_REQUESTS requests (default 200) each. Target: p95 < 50 ms.
 *
 * PostgreSQL and Redis as in every benchmark (bench/support.ts, bench/api-stack.ts). BENCH_NO_WRITE=1.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import {
  BENCH_MEMBER,
  portalSignIn,
  replayOf,
  seedCommunity,
  startStack,
  statementText,
  summarize,
  timedRequests,
  type LatencySummary,
} from './api-stack';
import { startCaptureProxy } from './pg-capture';
import { ROOT, describeMachine, log, median, writeDocSection, type Machine } from './support';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const WARM_UP = 50;
const TARGET_P95 = 50;
const SIZE = { posts: 1000, events: 200, calls: 12, bookings: 10, extraMembers: 0 };
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'portal-home.json');

interface Variant {
  /** Client-side request→response, medians over the runs of each run's percentile. */
  client: LatencySummary;
  /** pino-http's responseTime, likewise. */
  server: LatencySummary;
  perRun: { client: LatencySummary; server: LatencySummary }[];
  bytes: number;
  statements: number;
}

interface BenchResult {
  date: string;
  runs: number;
  requestsPerRun: number;
  machine: Machine;
  community: typeof SIZE;
  signedIn: Variant;
  anonymous: Variant;
  /** The signed-in page's SQL replayed with pg (baseline). */
  sql: {
    perRun: LatencySummary[];
    p50: number;
    p95: number;
    p99: number;
    statements: number;
    checkouts: number;
  };
  ratios: { signedInToSqlP50: number; anonymousToSqlP50: number };
  statementsSignedIn: string[];
  target: { p95Ms: number; met: boolean };
}

function medianSummary(list: LatencySummary[]): LatencySummary {
  return {
    count: list.reduce((sum, item) => sum + item.count, 0),
    p50: median(list.map((item) => item.p50)),
    p95: median(list.map((item) => item.p95)),
    p99: median(list.map((item) => item.p99)),
    mean: median(list.map((item) => item.mean)),
  };
}

async function main(): Promise<void> {
  const stack = await startStack([BENCH_MEMBER]);
  const pool = new Pool({ connectionString: stack.db.appUrl, max: 2 });
  try {
    log('seeding the community …');
    const community = await seedCommunity(stack.db, SIZE);
    const home = `${stack.base}/t/${community.slug}/`;

    // 1. The SQL of one page view of each kind, off the wire.
    const proxy = await startCaptureProxy(stack.db.appUrl);
    let cookie: string;
    const captured: Record<'signedIn' | 'anonymous', ReturnType<typeof proxy.statements>> = {
      signedIn: [],
      anonymous: [],
    };
    {
      const api = await stack.startApi({ databaseUrl: proxy.urlFor(stack.db.appUrl) });
      try {
        cookie = await portalSignIn(stack.base, BENCH_MEMBER.email, `/t/${community.slug}/`);
        for (const [name, headers] of [
          ['signedIn', { cookie }],
          ['anonymous', {}],
        ] as const) {
          // Twice first: caches (the realm keys, the tenant, templates) warm as in the runs.
          await timedRequests(home, headers, 2);
          proxy.reset();
          await timedRequests(home, headers, 1);
          captured[name] = proxy.statements();
          log(`${name}: ${captured[name].length} SQL statements per page view`);
          if (process.env.BENCH_VERBOSE)
            for (const statement of captured[name]) log(`  ${statementText(statement.sql)}`);
        }
      } finally {
        await api.stop();
        await proxy.stop();
      }
    }
    // For profiling: BENCH_SQL_DUMP=<file> writes the captured statements.
    if (process.env.BENCH_SQL_DUMP)
      await writeFile(process.env.BENCH_SQL_DUMP, JSON.stringify(captured, null, 2));
    const replay = replayOf(captured.signedIn);

    // 2. The runs, against the API without the proxy.
    const api = await stack.startApi();
    const perRun: Record<'signedIn' | 'anonymous', { client: LatencySummary; server: LatencySummary }[]> = {
      signedIn: [],
      anonymous: [],
    };
    const bytes = { signedIn: 0, anonymous: 0 };
    const sqlRuns: LatencySummary[] = [];
    try {
      for (const headers of [{ cookie }, {}] as Record<string, string>[])
        await timedRequests(home, headers, WARM_UP);
      for (let index = 0; index < WARM_UP; index++) await replay.run(pool);
      for (let run = 1; run <= RUNS; run++) {
        for (const [name, headers] of [
          ['signedIn', { cookie }],
          ['anonymous', {}],
        ] as const) {
          api.resetLog();
          const { times, bytes: size } = await timedRequests(home, headers, REQUESTS);
          // The log line is written when the response ends; give the pipe a moment.
          await new Promise((resolve) => setTimeout(resolve, 200));
          const server = api.responseTimes();
          if (server.length !== REQUESTS) {
            throw new Error(`the API logged ${server.length} of ${REQUESTS} requests`);
          }
          bytes[name] = size;
          perRun[name].push({ client: summarize(times), server: summarize(server) });
          const last = perRun[name].at(-1)!;
          log(
            `run ${run} ${name.padEnd(9)}: client p50 ${last.client.p50} ms, p95 ${last.client.p95} ms, p99 ${last.client.p99} ms; ` +
              `server (pino) p50 ${last.server.p50} ms, p95 ${last.server.p95} ms`,
          );
        }
        const times: number[] = [];
        for (let index = 0; index < REQUESTS; index++) {
          const started = performance.now();
          await replay.run(pool);
          times.push(performance.now() - started);
        }
        sqlRuns.push(summarize(times));
        log(`run ${run} SQL only : p50 ${sqlRuns.at(-1)!.p50} ms, p95 ${sqlRuns.at(-1)!.p95} ms`);
      }
    } finally {
      await api.stop();
    }

    const variant = (name: 'signedIn' | 'anonymous'): Variant => ({
      client: medianSummary(perRun[name].map((run) => run.client)),
      server: medianSummary(perRun[name].map((run) => run.server)),
      perRun: perRun[name],
      bytes: bytes[name],
      statements: captured[name].length,
    });
    const signedIn = variant('signedIn');
    const anonymous = variant('anonymous');
    const sql = medianSummary(sqlRuns);
    const worstP95 = Math.max(signedIn.client.p95, anonymous.client.p95);
    const result: BenchResult = {
      date: new Date().toISOString().slice(0, 10),
      runs: RUNS,
      requestsPerRun: REQUESTS,
      machine: await describeMachine(stack.db.ownerUrl, stack.db.source),
      community: SIZE,
      signedIn,
      anonymous,
      sql: {
        perRun: sqlRuns,
        p50: sql.p50,
        p95: sql.p95,
        p99: sql.p99,
        statements: captured.signedIn.length,
        checkouts: replay.checkouts.length,
      },
      ratios: {
        signedInToSqlP50: round(signedIn.client.p50 / sql.p50),
        anonymousToSqlP50: round(anonymous.client.p50 / sql.p50),
      },
      statementsSignedIn: captured.signedIn.map((statement) => statementText(statement.sql)),
      target: { p95Ms: TARGET_P95, met: worstP95 < TARGET_P95 },
    };
    log(
      `home signed in: p50 ${signedIn.client.p50} ms, p95 ${signedIn.client.p95} ms, p99 ${signedIn.client.p99} ms; ` +
        `anonymous: p50 ${anonymous.client.p50} ms, p95 ${anonymous.client.p95} ms, p99 ${anonymous.client.p99} ms; ` +
        `its SQL alone p50 ${sql.p50} ms; ratio page/SQL ${result.ratios.signedInToSqlP50} (signed in), ` +
        `${result.ratios.anonymousToSqlP50} (anonymous); target p95 < ${TARGET_P95} ms: ${result.target.met ? 'met' : 'MISSED'}`,
    );
    if (process.env.BENCH_NO_WRITE) return;
    await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    await writeDocSection('portal-home', docSection(result));
    log(`wrote ${RESULTS_FILE} and docs/benchmarks.md`);
  } finally {
    await pool.end();
    await stack.close();
  }
}

function docSection(result: BenchResult): string {
  const { machine } = result;
  const row = (label: string, variant: Variant) =>
    `| ${label} | ${variant.client.p50} | ${variant.client.p95} | ${variant.client.p99} | ${variant.server.p50} / ${variant.server.p95} / ${variant.server.p99} | ${variant.statements} | ${(variant.bytes / 1024).toFixed(1)} KiB |`;
  return `## Portal home page (\`npm run bench:portal-home\`)

\`bench/portal-home.bench.ts\` seeds a community from the municipality template with
${result.community.posts.toLocaleString('en-US')} news posts over two years (one active urgent alert, three pinned, some expired),
${result.community.events} events (half upcoming), ${result.community.calls} calls for volunteers with shifts and items and ${result.community.bookings} approved
Grillhütte bookings, and requests \`/t/<slug>/\` from the real built API (\`dist/apps/api\`, a process of
its own, \`NODE_ENV=production\`, request logging on) on loopback, one request after the other: signed
in as a member of every group (the session cookie of a real sign-in through the dev identity
provider) and anonymously. Client time is request→response including the body; server time is
pino-http's \`responseTime\` from the API's log. The baseline is the SQL of the signed-in page
(${result.sql.statements} statements on ${result.sql.checkouts} connection checkouts, captured off the wire by \`bench/pg-capture.ts\` with the API
behind it) replayed with \`pg\` from the benchmark process. ${result.runs} runs of ${result.requestsPerRun} requests each; the
table shows the medians of the runs' percentiles (ms).

Machine: ${machine.cpus} CPUs, ${machine.memoryGiB} GiB memory, ${machine.cpu}; Node ${machine.node}; PostgreSQL ${machine.postgres}
(${machine.postgresSource}), Redis local. The machine was shared with other work while this ran
(other jobs on the same 2 cores): the absolute times are noisy, the ratios less so. Run on ${result.date}.

| request | p50 | p95 | p99 | server p50 / p95 / p99 | SQL statements | page |
| --- | --: | --: | --: | --: | --: | --: |
${row('signed in', result.signedIn)}
${row('anonymous', result.anonymous)}
| the page's SQL alone (baseline) | ${result.sql.p50} | ${result.sql.p95} | ${result.sql.p99} | | ${result.sql.statements} | |

Ratio page/SQL at p50: ${result.ratios.signedInToSqlP50.toFixed(2)} signed in, ${result.ratios.anonymousToSqlP50.toFixed(2)} anonymous. Target p95 < ${result.target.p95Ms} ms:
${result.target.met ? 'met' : '**missed**'}.

Where the time goes (measured 2026-12-03): before this benchmark the signed-in page sent 170
statements (every read in a short transaction of its own: \`begin\`, \`set_config\`, the query,
\`commit\`); \`PortalHome\` now reads all its sections in one read-only transaction (59 statements
signed in, 38 anonymous, p50 about 180 → 133 ms here). Of the rest, about 20 statements are the
page frame (tenant looked up twice, person, membership, groups, communities; \`PortalView\` and the
guards), and the Grillhütte box repeats GroupAccess' three lookups for every resource (via
\`BookingService.listResources\`/\`occupancy\`: 5 queries per resource, 2 booking groups). The
page spends about two thirds of its time in Node, not in SQL (ratio above): MikroORM hydration,
Markdown rendering of the news bodies, Handlebars. Next steps, outside \`portal-home.ts\`: a
batched occupancy in \`BookingService\`, one tenant lookup per request, and a CPU profile
(\`BENCH_API_FLAGS=--cpu-prof\`) of the render path.`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench:portal-home failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
