/**
 * `npm run bench:feed-read` (issue 9, benchmark 1): a signed-in member reads the tenant's news
 * feed (`GET /api/tenants/<slug>/news/feed?limit=20`, bearer token) from the real built API
 * under autocannon, beside the baseline: a bare fastify + pg server (bench/feed-baseline-server.ts)
 * that runs the identical SQL — captured off the wire from the API serving the same request —
 * against the same data. Both are processes of their own with pools of the same size.
 *
 * Each run: throughput at BENCH_CONNECTIONS (default 10) keep-alive connections for
 * BENCH_DURATION seconds (default 10) against each server, then the API alone at a steady
 * 500 req/s (bench/paced-load.ts: one request every 2 ms, open loop) for the p99 target. Medians of BENCH_RUNS runs (default 3).
 * Targets: API ≥ 60 % of the baseline's req/s; p99 < 50 ms at 500 req/s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BENCH_MEMBER,
  captureRequestSql,
  seedCommunity,
  startStack,
  statementText,
  type LoadResult,
  type LoadSummary,
  cleanLoad,
  expectClean,
  summarize,
  summarizeLoads,
  type ApiProcess,
  type LatencySummary,
} from './api-stack';
import { freePort } from '@allmende/local-services';
import { pacedLoad } from './paced-load';
import { ROOT, describeMachine, log, median, writeDocSection, type Machine } from './support';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const FIXED_RATE = 500;
const POOL_MAX = 10;
const TARGET = { throughputRatio: 0.6, p99Ms: 50 };
const SIZE = { posts: 1000, events: 20, calls: 2, bookings: 2, extraMembers: 0 };
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'feed-read.json');

interface BenchResult {
  date: string;
  runs: number;
  durationSeconds: number;
  connections: number;
  machine: Machine;
  community: typeof SIZE;
  statements: string[];
  api: LoadSummary;
  baseline: LoadSummary;
  fixedRate: {
    rate: number;
    p50: number;
    p99: number;
    achieved: number;
    /** pino-http's responseTime in the API: from the request's arrival in Node to its end. */
    server: { p50: number; p99: number };
    perRun: LoadResult[];
    serverPerRun: LatencySummary[];
  };
  throughputRatio: number;
  /** The same steady rate on two API processes, taking turns. */
  twoProcesses: BenchResult['fixedRate'];
  targets: {
    throughputRatio: number;
    p99Ms: number;
    throughputMet: boolean;
    p99Met: boolean;
    p99MetWithTwo: boolean;
  };
}

async function startBaseline(
  sqlFile: string,
  databaseUrl: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'feed-baseline-server.js')], {
    env: {
      PATH: process.env.PATH,
      BASELINE_SQL: sqlFile,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      POOL_MAX: String(POOL_MAX),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('baseline listening')) resolve();
    });
    void exited.then(() => reject(new Error('the baseline server exited before it listened')));
  });
  return {
    url: `http://127.0.0.1:${port}/feed`,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

type SteadyRate = BenchResult['fixedRate'];

/**
 * One run at the steady rate over `urls` (one per API process, taking turns), with the
 * processes' own response times for the same requests.
 */
async function steadyRun(
  urls: string[],
  apis: ApiProcess[],
  headers: Record<string, string>,
): Promise<{ load: LoadResult; server: LatencySummary }> {
  for (const api of apis) api.resetLog();
  const load = expectClean(
    urls[0]!,
    await pacedLoad(urls, { headers, rate: FIXED_RATE, duration: DURATION, maxSockets: 50 / urls.length }),
  );
  return { load, server: summarize(apis.flatMap((api) => api.responseTimes())) };
}

/** The medians of steady-rate runs. */
function steadyRate(runs: LoadResult[], serverRuns: LatencySummary[]): SteadyRate {
  const load = summarizeLoads(runs);
  return {
    rate: FIXED_RATE,
    p50: load.p50,
    p99: load.p99,
    achieved: load.requestsPerSecond,
    server: {
      p50: median(serverRuns.map((run) => run.p50)),
      p99: median(serverRuns.map((run) => run.p99)),
    },
    perRun: runs,
    serverPerRun: serverRuns,
  };
}

/** Met only if the rate was actually reached (a server that falls behind has no p99 at that rate). */
function rateMet(steady: SteadyRate): boolean {
  return steady.p99 < TARGET.p99Ms && steady.achieved >= FIXED_RATE * 0.95;
}

async function main(): Promise<void> {
  const stack = await startStack([BENCH_MEMBER]);
  try {
    log('seeding the community …');
    const community = await seedCommunity(stack.db, SIZE);
    const feed = `${stack.base}/api/tenants/${community.slug}/news/feed?limit=20`;
    const token = await stack.token(BENCH_MEMBER.email);
    const headers = { authorization: `Bearer ${token}` };

    // 1. The SQL of one feed request, off the wire.
    const captured = await captureRequestSql(stack, feed, headers, {
      env: { DATABASE_POOL_MAX: String(POOL_MAX) },
    });
    log(`one feed request: ${captured.length} SQL statements`);
    if (process.env.BENCH_VERBOSE) for (const statement of captured) log(`  ${statementText(statement.sql)}`);
    const sqlFile = join(stack.db.work, 'feed-sql.json');
    await writeFile(sqlFile, JSON.stringify(captured));

    const baseline = await startBaseline(sqlFile, stack.db.appUrl);
    const api = await stack.startApi({ env: { DATABASE_POOL_MAX: String(POOL_MAX) } });
    const apiRuns: LoadResult[] = [];
    const baselineRuns: LoadResult[] = [];
    const fixedRuns: LoadResult[] = [];
    const serverRuns: LatencySummary[] = [];
    const twoRuns: LoadResult[] = [];
    const twoServerRuns: LatencySummary[] = [];
    try {
      const baselineBody = (await expectOk(baseline.url, {})) as { items: unknown[] };
      const apiBody = (await expectOk(feed, headers)) as { items: unknown[] };
      // The API reads one row past the page to know whether there is a next one.
      const [rows, items] = [baselineBody.items.length, apiBody.items.length];
      if (rows !== items && rows !== items + 1) {
        throw new Error(`baseline sends ${rows} rows, the API ${items} items`);
      }
      log('warming up …');
      await cleanLoad(feed, { headers, connections: CONNECTIONS, duration: 3 });
      await cleanLoad(baseline.url, { connections: CONNECTIONS, duration: 3 });
      for (let run = 1; run <= RUNS; run++) {
        apiRuns.push(await cleanLoad(feed, { headers, connections: CONNECTIONS, duration: DURATION }));
        baselineRuns.push(await cleanLoad(baseline.url, { connections: CONNECTIONS, duration: DURATION }));
        const steady = await steadyRun([feed], [api], headers);
        fixedRuns.push(steady.load);
        serverRuns.push(steady.server);
        const [a, b, f] = [apiRuns.at(-1)!, baselineRuns.at(-1)!, fixedRuns.at(-1)!];
        log(
          `run ${run}: API ${a.requestsPerSecond} req/s (p50 ${a.p50} ms, p99 ${a.p99} ms); ` +
            `baseline ${b.requestsPerSecond} req/s (p50 ${b.p50} ms, p99 ${b.p99} ms); ` +
            `API at ${FIXED_RATE} req/s: ${f.requestsPerSecond} req/s achieved, p50 ${f.p50} ms, p99 ${f.p99} ms ` +
            `(in the API: p50 ${serverRuns.at(-1)!.p50} ms, p99 ${serverRuns.at(-1)!.p99} ms)`,
        );
      }
      // 2. The same steady rate on two API processes (the API keeps no state of its own: sessions,
      // rate limits and queues are in Redis and PostgreSQL), the requests taking turns as behind a
      // load balancer. One Node process runs on one core.
      const secondPort = await freePort();
      const second = await stack.startApi({ port: secondPort, env: { DATABASE_POOL_MAX: String(POOL_MAX) } });
      try {
        const feedOnSecond = feed.replace(`:${stack.port}/`, `:${secondPort}/`);
        await cleanLoad(feedOnSecond, { headers, connections: CONNECTIONS, duration: 3 });
        for (let run = 1; run <= RUNS; run++) {
          const steady = await steadyRun([feed, feedOnSecond], [api, second], headers);
          twoRuns.push(steady.load);
          twoServerRuns.push(steady.server);
          const f = twoRuns.at(-1)!;
          log(
            `run ${run}: two API processes at ${FIXED_RATE} req/s: ${f.requestsPerSecond} req/s achieved, ` +
              `p50 ${f.p50} ms, p99 ${f.p99} ms (in the APIs: p50 ${twoServerRuns.at(-1)!.p50} ms, ` +
              `p99 ${twoServerRuns.at(-1)!.p99} ms)`,
          );
        }
      } finally {
        await second.stop();
      }
    } finally {
      await api.stop();
      await baseline.stop();
    }

    const apiSummary = summarizeLoads(apiRuns);
    const baselineSummary = summarizeLoads(baselineRuns);
    const fixed = steadyRate(fixedRuns, serverRuns);
    const two = steadyRate(twoRuns, twoServerRuns);
    const throughputRatio =
      Math.round((apiSummary.requestsPerSecond / baselineSummary.requestsPerSecond) * 1000) / 1000;
    const result: BenchResult = {
      date: new Date().toISOString().slice(0, 10),
      runs: RUNS,
      durationSeconds: DURATION,
      connections: CONNECTIONS,
      machine: await describeMachine(stack.db.ownerUrl, stack.db.source),
      community: SIZE,
      statements: captured.map((statement) => statementText(statement.sql)),
      api: apiSummary,
      baseline: baselineSummary,
      fixedRate: fixed,
      twoProcesses: two,
      throughputRatio,
      targets: {
        ...TARGET,
        throughputMet: throughputRatio >= TARGET.throughputRatio,
        p99Met: rateMet(fixed),
        p99MetWithTwo: rateMet(two),
      },
    };
    log(
      `feed read: API ${apiSummary.requestsPerSecond} req/s vs baseline ${baselineSummary.requestsPerSecond} req/s ` +
        `= ${throughputRatio} (target ≥ ${TARGET.throughputRatio}: ${result.targets.throughputMet ? 'met' : 'MISSED'}); ` +
        `p99 at ${FIXED_RATE} req/s ${fixed.p99} ms (target < ${TARGET.p99Ms} ms: ${result.targets.p99Met ? 'met' : 'MISSED'}); ` +
        `with two API processes ${two.p99} ms (${result.targets.p99MetWithTwo ? 'met' : 'MISSED'})`,
    );
    if (process.env.BENCH_NO_WRITE) return;
    await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    await writeDocSection('feed-read', docSection(result));
    log(`wrote ${RESULTS_FILE} and docs/benchmarks.md`);
  } finally {
    await stack.close();
  }
}

async function expectOk(url: string, headers: Record<string, string>): Promise<unknown> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

function docSection(result: BenchResult): string {
  const { machine } = result;
  const row = (label: string, value: LoadSummary) =>
    `| ${label} | ${value.requestsPerSecond} | ${value.p50} | ${value.p99} |`;
  return `## Feed read (\`npm run bench:feed-read\`)

\`bench/feed-read.bench.ts\`: a member of every group reads the tenant's news feed, a page of 20
(\`GET /api/tenants/<slug>/news/feed?limit=20\` with a bearer token of the dev identity provider),
in a community of ${result.community.posts.toLocaleString('en-US')} news posts, from the real built API (\`dist/apps/api\`, its own
process, \`NODE_ENV=production\`) under autocannon with ${result.connections} keep-alive connections for ${result.durationSeconds} s. The baseline,
in the same run against the same data: a bare fastify + pg server (\`bench/feed-baseline-server.ts\`)
running the identical SQL — the ${result.statements.length} statements the API sent for one feed request, captured off the wire
(\`bench/pg-capture.ts\`) — with a pool of the same size and sending the rows as JSON. Then the API
alone at a steady ${result.fixedRate.rate} req/s: one request every ${1000 / result.fixedRate.rate} ms whether or not the earlier ones were answered, over
up to 50 keep-alive connections, each latency counted from when the request was due (\`bench/paced-load.ts\`;
autocannon's \`overallRate\` sends each connection's share of a second at the start of the second, a
burst of ${result.fixedRate.rate} requests 50 at a time, not a rate). Then the same rate on two API processes
(the second on a port of its own), the requests taking turns. Medians of ${result.runs} runs; latencies in ms.

Machine: ${machine.cpus} CPUs, ${machine.memoryGiB} GiB, ${machine.cpu}; Node ${machine.node}; PostgreSQL ${machine.postgres}
(${machine.postgresSource}); autocannon, the servers and PostgreSQL share the cores. Run on ${result.date}.

| server | req/s | p50 | p99 |
| --- | --: | --: | --: |
${row('Allmende API', result.api)}
${row('fastify + pg, same SQL (baseline)', result.baseline)}
| Allmende API at ${result.fixedRate.rate} req/s (achieved ${result.fixedRate.achieved}) | | ${result.fixedRate.p50} | ${result.fixedRate.p99} |
| … of which in the API (pino-http's responseTime) | | ${result.fixedRate.server.p50} | ${result.fixedRate.server.p99} |
| two API processes at ${result.twoProcesses.rate} req/s, taking turns (achieved ${result.twoProcesses.achieved}) | | ${result.twoProcesses.p50} | ${result.twoProcesses.p99} |
| … of which in the APIs | | ${result.twoProcesses.server.p50} | ${result.twoProcesses.server.p99} |

Throughput ratio ${result.throughputRatio.toFixed(2)} (target ≥ ${result.targets.throughputRatio}: ${result.targets.throughputMet ? 'met' : '**missed**'}); p99 at
${result.fixedRate.rate} req/s ${result.fixedRate.p99} ms on one API process (target < ${result.targets.p99Ms} ms: ${result.targets.p99Met ? 'met' : '**missed**'}),
${result.twoProcesses.p99} ms on two (${result.targets.p99MetWithTwo ? 'met' : '**missed**'}). One Node process runs on one core; the API keeps no state of
its own (sessions, rate limits and queues live in Redis and PostgreSQL), so a deployment runs one
process per core behind its load balancer.

The SQL of one request: ${result.statements.map((statement) => `\`${statement.replace(/`/g, "'")}\``).join('; ')}.`;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench:feed-read failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
