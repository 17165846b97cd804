/**
 * `npm run bench:booking-contention` (issue 9, benchmark 4): 200 members request the
 * Grillhütte at once, 10 of them for each of 20 slots (`POST …/booking/resources/grillhuette/requests`,
 * each with a bearer token of their own, all 200 sent concurrently on their own connections).
 * Correct means: exactly 20 requests succeed (201), one per slot, the other 180 get 409 naming
 * the taken slot, and the database holds exactly those 20 bookings. Throughput: the 200
 * requests' wall time. The baseline, in the same run: the same 200 requests, each for a slot
 * of its own (no contention), so the ratio shows what the contention costs. BENCH_RUNS runs
 * (default 3) on fresh slots; medians. The benchmark fails when a run is not correct.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import {
  BENCH_MEMBER,
  days,
  seedCommunity,
  startStack,
  summarize,
  tokensLike,
  type LatencySummary,
} from './api-stack';
import { ROOT, describeMachine, log, median, writeDocSection, type Machine } from './support';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const REQUESTS = 200;
const SLOTS = 20;
const SIZE = { posts: 100, events: 20, calls: 2, bookings: 0, extraMembers: REQUESTS };
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'booking-contention.json');

interface Round {
  wallMs: number;
  requestsPerSecond: number;
  latency: LatencySummary;
  statuses: Record<string, number>;
  bookingsInDatabase: number;
  slotsHeld: number;
  correct: boolean;
}

interface BenchResult {
  date: string;
  runs: number;
  machine: Machine;
  contended: { requestsPerSecond: number; p50: number; p99: number; perRun: Round[] };
  uncontended: { requestsPerSecond: number; p50: number; p99: number; perRun: Round[] };
  ratio: number;
  correct: boolean;
}

const SLOTS_PER_DAY = 4;
/**
 * Slot `index` of the days from `firstDay` days from now on (past the resource's 7-day lead
 * time): four 4-hour slots a day (UTC 00, 06, 12, 18 h), with gaps between them.
 */
function slot(firstDay: number, index: number): { start: string; end: string } {
  const day = Math.floor((Date.now() + days(firstDay)) / days(1)) + Math.floor(index / SLOTS_PER_DAY);
  const start = new Date(day * days(1) + (index % SLOTS_PER_DAY) * 6 * 60 * 60 * 1000);
  return { start: start.toISOString(), end: new Date(start.getTime() + 4 * 60 * 60 * 1000).toISOString() };
}

async function main(): Promise<void> {
  const stack = await startStack([BENCH_MEMBER]);
  const admin = new Client({ connectionString: stack.db.adminOnDatabase });
  try {
    log('seeding the community …');
    const community = await seedCommunity(stack.db, SIZE);
    const url = `${stack.base}/api/tenants/${community.slug}/groups/grillhuette/booking/resources/grillhuette/requests`;
    const real = await stack.token(BENCH_MEMBER.email);
    const tokens = await tokensLike(stack.idp, real, community.extraMembers);
    await admin.connect();
    const api = await stack.startApi();
    let nextDay = 10;
    const perRun: Record<'contended' | 'uncontended', Round[]> = { contended: [], uncontended: [] };
    try {
      // Warm-up: every member's first request links them (a write); keys are fetched once.
      await Promise.all(
        tokens.map((token) =>
          fetch(`${stack.base}/api/tenants/${community.slug}/members/me`, {
            headers: { authorization: `Bearer ${token}` },
          }).then((response) => {
            if (!response.ok) throw new Error(`warm-up: /members/me answered ${response.status}`);
            return response.arrayBuffer();
          }),
        ),
      );
      const round = async (slotOf: (index: number) => number, expectedWins: number): Promise<Round> => {
        const first = nextDay;
        const slotCount = Math.max(...tokens.map((_, index) => slotOf(index))) + 1;
        // The booking window is 365 days: 3 runs of 5 + 50 days fit.
        nextDay += Math.ceil(slotCount / SLOTS_PER_DAY) + 1;
        const bodies = tokens.map((_, index) =>
          JSON.stringify({
            ...slot(first, slotOf(index)),
            purpose: 'Sommerfest der Nachbarschaft',
            expectedGuests: 25,
            contactPhone: '02623 123456',
            acceptHouseRules: true,
          }),
        );
        const latencies: number[] = [];
        const statuses: Record<string, number> = {};
        const started = performance.now();
        await Promise.all(
          tokens.map(async (token, index) => {
            const sent = performance.now();
            const response = await fetch(url, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: bodies[index],
            });
            await response.arrayBuffer();
            latencies.push(performance.now() - sent);
            statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          }),
        );
        const wallMs = performance.now() - started;
        const held = await admin.query<{ bookings: string; slots: string }>(
          `select count(*) as bookings, count(distinct starts_at) as slots from bookings
            where tenant_id = $1 and resource_id = $2 and starts_at >= $3 and starts_at < $4`,
          [community.tenantId, community.resourceId, slot(first, 0).start, slot(first, slotCount).start],
        );
        const bookingsInDatabase = Number(held.rows[0]!.bookings);
        const slotsHeld = Number(held.rows[0]!.slots);
        const correct =
          statuses['201'] === expectedWins &&
          (statuses['409'] ?? 0) === REQUESTS - expectedWins &&
          bookingsInDatabase === expectedWins &&
          slotsHeld === Math.min(slotCount, expectedWins);
        return {
          wallMs: Math.round(wallMs),
          requestsPerSecond: Math.round((REQUESTS / wallMs) * 1000),
          latency: summarize(latencies),
          statuses,
          bookingsInDatabase,
          slotsHeld,
          correct,
        };
      };
      for (let run = 1; run <= RUNS; run++) {
        perRun.contended.push(await round((index) => index % SLOTS, SLOTS));
        perRun.uncontended.push(await round((index) => index, REQUESTS));
        const [c, u] = [perRun.contended.at(-1)!, perRun.uncontended.at(-1)!];
        log(
          `run ${run}: 200 requests for 20 slots: ${c.wallMs} ms (${c.requestsPerSecond} req/s), statuses ${JSON.stringify(c.statuses)}, ` +
            `${c.bookingsInDatabase} bookings in ${c.slotsHeld} slots — ${c.correct ? 'correct' : 'WRONG'}; ` +
            `200 requests for 200 slots: ${u.wallMs} ms (${u.requestsPerSecond} req/s), statuses ${JSON.stringify(u.statuses)}`,
        );
      }
    } finally {
      await api.stop();
    }
    const summary = (rounds: Round[]) => ({
      requestsPerSecond: median(rounds.map((item) => item.requestsPerSecond)),
      p50: median(rounds.map((item) => item.latency.p50)),
      p99: median(rounds.map((item) => item.latency.p99)),
      perRun: rounds,
    });
    const contended = summary(perRun.contended);
    const uncontended = summary(perRun.uncontended);
    const correct = [...perRun.contended, ...perRun.uncontended].every((item) => item.correct);
    const result: BenchResult = {
      date: new Date().toISOString().slice(0, 10),
      runs: RUNS,
      machine: await describeMachine(stack.db.ownerUrl, stack.db.source),
      contended,
      uncontended,
      ratio: Math.round((contended.requestsPerSecond / uncontended.requestsPerSecond) * 1000) / 1000,
      correct,
    };
    log(
      `booking contention: ${contended.requestsPerSecond} req/s contended vs ${uncontended.requestsPerSecond} req/s uncontended ` +
        `(ratio ${result.ratio}); exactly ${SLOTS} of ${REQUESTS} succeeded in every run: ${correct ? 'yes' : 'NO'}`,
    );
    if (!correct) throw new Error('a run was not correct (see the statuses above)');
    if (process.env.BENCH_NO_WRITE) return;
    await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    await writeDocSection('booking-contention', docSection(result));
    log(`wrote ${RESULTS_FILE} and docs/benchmarks.md`);
  } finally {
    await admin.end().catch(() => undefined);
    await stack.close();
  }
}

function docSection(result: BenchResult): string {
  const { machine, contended: c, uncontended: u } = result;
  const statuses = (rounds: Round[]) =>
    rounds.map((item) => `${item.statuses['201'] ?? 0}/${item.statuses['409'] ?? 0}`).join(', ');
  return `## Booking contention (\`npm run bench:booking-contention\`)

\`bench/booking-contention.bench.ts\`: ${REQUESTS} members request the Grillhütte at once through the real built
API (\`POST …/booking/resources/grillhuette/requests\`, a bearer token each, all requests in flight
together): 10 for each of ${SLOTS} slots. The free slot is decided by the database's exclusion constraint
at insert. Baseline in the same run: the same ${REQUESTS} requests, each for a slot of its own. ${result.runs} runs on fresh
slots, medians; latencies in ms, per request.

Machine: ${machine.cpus} CPUs, ${machine.cpu}; Node ${machine.node}; PostgreSQL ${machine.postgres}. Run on ${result.date}.

| requests | req/s | p50 | p99 | 201 / 409 per run |
| --- | --: | --: | --: | --- |
| 200 for 20 slots | ${c.requestsPerSecond} | ${c.p50} | ${c.p99} | ${statuses(c.perRun)} |
| 200 for 200 slots (baseline) | ${u.requestsPerSecond} | ${u.p50} | ${u.p99} | ${statuses(u.perRun)} |

Correct in every run: ${result.correct ? `yes — exactly ${SLOTS} requests succeeded, one per slot, the others got 409, and the database held exactly those ${SLOTS} bookings` : '**no**'}.
Contended throughput at ${(result.ratio * 100).toFixed(0)} % of the uncontended.`;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench:booking-contention failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
