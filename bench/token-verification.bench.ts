/**
 * `npm run bench:token-verification` (issue 9, benchmark 3): what verifying bearer tokens
 * costs, and proof that it happens locally. The same route, the tenant's news feed
 * (`@Public()`: anonymous callers see the public groups, members what they may read), under
 * autocannon with BENCH_CONNECTIONS connections (default 10) for BENCH_DURATION s (default 10):
 *
 * - **authenticated**: every connection with a bearer token of its own (a different member
 *   each, signed with the dev identity provider's key): signature, issuer and audience checked
 *   the first time (AccessTokenVerifier remembers a verified token until it expires), expiry and
 *   the member's tenant membership on every request;
 * - **public**: the same requests without a token.
 *
 * The identity provider counts every request it receives: after the warm-up (the realm keys
 * fetched once, the members linked) none may arrive during the measured runs — the benchmark
 * fails otherwise. Medians of BENCH_RUNS runs (default 3).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BENCH_MEMBER,
  cleanLoad,
  seedCommunity,
  startStack,
  summarizeLoads,
  tokensLike,
  type LoadResult,
  type LoadSummary,
} from './api-stack';
import { ROOT, describeMachine, log, writeDocSection, type Machine } from './support';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SIZE = { posts: 1000, events: 20, calls: 2, bookings: 2, extraMembers: CONNECTIONS };
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'token-verification.json');

interface BenchResult {
  date: string;
  runs: number;
  durationSeconds: number;
  connections: number;
  machine: Machine;
  authenticated: LoadSummary;
  public: LoadSummary;
  ratio: number;
  identityProvider: { requestsDuringWarmUp: number; requestsDuringRuns: number; requestsMeasured: number };
}

async function main(): Promise<void> {
  const stack = await startStack([BENCH_MEMBER]);
  try {
    log('seeding the community …');
    const community = await seedCommunity(stack.db, SIZE);
    const feed = `${stack.base}/api/tenants/${community.slug}/news/feed?limit=20`;
    const real = await stack.token(BENCH_MEMBER.email);
    const tokens = await tokensLike(stack.idp, real, community.extraMembers);
    const authenticated = tokens.map((token) => ({ authorization: `Bearer ${token}` }));

    const api = await stack.startApi();
    const authenticatedRuns: LoadResult[] = [];
    const publicRuns: LoadResult[] = [];
    const idpBefore = stack.idp.requestCount();
    let idpAfterWarmUp: number;
    try {
      log('warming up …');
      await cleanLoad(feed, { connectionHeaders: authenticated, connections: CONNECTIONS, duration: 3 });
      await cleanLoad(feed, { connections: CONNECTIONS, duration: 3 });
      idpAfterWarmUp = stack.idp.requestCount();
      for (let run = 1; run <= RUNS; run++) {
        authenticatedRuns.push(
          await cleanLoad(feed, {
            connectionHeaders: authenticated,
            connections: CONNECTIONS,
            duration: DURATION,
          }),
        );
        publicRuns.push(await cleanLoad(feed, { connections: CONNECTIONS, duration: DURATION }));
        const [a, p] = [authenticatedRuns.at(-1)!, publicRuns.at(-1)!];
        log(
          `run ${run}: authenticated ${a.requestsPerSecond} req/s (p50 ${a.p50} ms, p99 ${a.p99} ms); ` +
            `public ${p.requestsPerSecond} req/s (p50 ${p.p50} ms, p99 ${p.p99} ms)`,
        );
      }
    } finally {
      await api.stop();
    }
    const duringRuns = stack.idp.requestCount() - idpAfterWarmUp;
    const measured = authenticatedRuns.reduce((sum, run) => sum + run.total, 0);
    const auth = summarizeLoads(authenticatedRuns);
    const anonymous = summarizeLoads(publicRuns);
    const result: BenchResult = {
      date: new Date().toISOString().slice(0, 10),
      runs: RUNS,
      durationSeconds: DURATION,
      connections: CONNECTIONS,
      machine: await describeMachine(stack.db.ownerUrl, stack.db.source),
      authenticated: auth,
      public: anonymous,
      ratio: Math.round((auth.requestsPerSecond / anonymous.requestsPerSecond) * 1000) / 1000,
      identityProvider: {
        requestsDuringWarmUp: idpAfterWarmUp - idpBefore,
        requestsDuringRuns: duringRuns,
        requestsMeasured: measured,
      },
    };
    log(
      `token verification: authenticated ${auth.requestsPerSecond} req/s vs public ${anonymous.requestsPerSecond} req/s ` +
        `= ${result.ratio}; identity provider requests during the ${measured.toLocaleString('en-US')} authenticated requests: ${duringRuns}`,
    );
    if (duringRuns > 0)
      throw new Error(`${duringRuns} requests reached the identity provider at steady state`);
    if (process.env.BENCH_NO_WRITE) return;
    await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    await writeDocSection('token-verification', docSection(result));
    log(`wrote ${RESULTS_FILE} and docs/benchmarks.md`);
  } finally {
    await stack.close();
  }
}

function docSection(result: BenchResult): string {
  const { machine, identityProvider: idp } = result;
  const row = (label: string, value: LoadSummary) =>
    `| ${label} | ${value.requestsPerSecond} | ${value.p50} | ${value.p99} |`;
  return `## Token verification (\`npm run bench:token-verification\`)

\`bench/token-verification.bench.ts\`: the tenant's news feed (\`GET /api/tenants/<slug>/news/feed?limit=20\`, a
\`@Public()\` route: anonymous callers see the public groups, members what they may read) from the
real built API under autocannon, ${result.connections} connections for ${result.durationSeconds} s, ${result.runs} runs, medians (latencies in ms):
authenticated — each connection with the bearer token of a different member (signed with the dev
identity provider's key; verified by keycloak-connect's grant manager the first time and then
remembered until it expires, its expiry checked and the tenant membership looked up on every
request) — and the same requests without a token.

Machine: ${machine.cpus} CPUs, ${machine.cpu}; Node ${machine.node}; PostgreSQL ${machine.postgres}. Run on ${result.date}.

| requests | req/s | p50 | p99 |
| --- | --: | --: | --: |
${row('authenticated (bearer token)', result.authenticated)}
${row('public (no token)', result.public)}

Authenticated at ${(result.ratio * 100).toFixed(0)} % of the public rate; the difference is the token's checks and
the member's membership and group lookups (a member reads more groups than the public). Requests the identity provider received: ${idp.requestsDuringWarmUp} during the
warm-up (the realm's keys, once), **${idp.requestsDuringRuns} during the ${idp.requestsMeasured.toLocaleString('en-US')} measured authenticated requests**
(the benchmark fails if any arrive).`;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench:token-verification failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
