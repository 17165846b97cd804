/**
 * One import in a process of its own, as `allmende members import` runs: started by
 * import.bench.ts, which reads the JSON line this prints (time, summary, peak RSS of this
 * process). Environment: BENCH_APP_URL, BENCH_TENANT_ID, BENCH_FILE, and optionally
 * BENCH_BATCH_SIZE and BENCH_CONCURRENCY for experiments.
 *
 * BENCH_STAGE times a part of the import alone, to show where the time goes: `read`
 * (decode and parse the CSV file, nothing else), `validate` (read and validate every row
 * with the row schema, as the import does; no database writes), or `import` (default).
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmOptions, TenantScope } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import { importMembers, loadGroupIndex, memberRows, openCsv, type GroupIndex } from '@allmende/member-lists';

export type ImportStage = 'read' | 'validate' | 'import';

export interface ImportRun {
  seconds: number;
  summary: { rows: number; created: number; updated: number; unchanged: number; rejected: number };
  /** Peak RSS of the importing process. */
  peakRssMiB: number;
  /** RSS after loading the code and connecting, before the import started. */
  startRssMiB: number;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (this script is started by import.bench.js)`);
  return value;
}

async function main(): Promise<void> {
  const optional = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  const orm = await MikroORM.init(
    createOrmOptions({ url: required('BENCH_APP_URL'), entities: ALL_ENTITIES, poolMax: 4 }),
  );
  try {
    const startRssMiB = Math.round(process.memoryUsage().rss / 1024 / 1024);
    const started = process.hrtime.bigint();
    const stage = (process.env.BENCH_STAGE ?? 'import') as ImportStage;
    const tenantId = required('BENCH_TENANT_ID');
    const source = required('BENCH_FILE');
    const summary =
      stage === 'import'
        ? await importMembers(orm, {
            tenantId,
            source,
            batchSize: optional('BENCH_BATCH_SIZE'),
            concurrency: optional('BENCH_CONCURRENCY'),
          })
        : await readOnly(
            source,
            stage === 'validate' ? await new TenantScope(orm).run(tenantId, loadGroupIndex) : undefined,
          );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const { rows, created, updated, unchanged, rejected } = summary;
    const run: ImportRun = {
      seconds,
      summary: { rows, created, updated, unchanged, rejected },
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      startRssMiB,
    };
    process.stdout.write(`${JSON.stringify(run)}\n`);
  } finally {
    await orm.close(true);
  }
}

/** Reads (and with groups, validates) every row of the file without writing. */
async function readOnly(source: string, groups: GroupIndex | undefined): Promise<ImportRun['summary']> {
  const file = await openCsv(source, {});
  let rows = 0;
  let rejected = 0;
  if (!groups) {
    for await (const records of file.records) rows += records.length;
    rows -= 1; // the header
  } else {
    for await (const outcomes of memberRows(file, groups)) {
      rows += outcomes.length;
      for (const outcome of outcomes) if ('rejection' in outcome) rejected++;
    }
  }
  return { rows, created: 0, updated: 0, unchanged: rows - rejected, rejected };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
