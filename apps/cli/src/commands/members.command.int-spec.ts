import { CommanderError } from 'commander';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import iconv from 'iconv-lite';
import { TenantScope } from '@allmende/db';
import { GroupSchema } from '@allmende/groups';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../../../../test/support/fixtures';
import { testRun } from '../../../../test/support/test-run';
import { CliError, ExitCode } from '../output';
import { buildProgram } from '../program';

interface Result {
  out: string;
  err: string;
  error?: unknown;
}

function run(args: string[]): Promise<Result> {
  let out = '';
  let err = '';
  // Like processOutput: a line break is added unless the text ends with one.
  const line = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);
  const program = buildProgram({ out: (text) => (out += line(text)), err: (text) => (err += line(text)) });
  return program.parseAsync(['node', 'allmende', ...args]).then(
    () => ({ out, err }),
    (error: unknown) => ({ out, err, error }),
  );
}

const FILE =
  'E-Mail;Vorname;Nachname;Telefon;Rolle;Gruppen;Bemerkung\r\n' +
  'juergen.mueller@example.org;Jürgen;Müller;02623 1234;Admin;Neuigkeiten|vorstand;\r\n' +
  'anna.weiss@example.org;Anna;Weiß;;;neuigkeiten;ruft zurück\r\n' +
  'kaputt;Kai;Putt;;;;\r\n' +
  'grete@example.org;Grete;Schäfer;;Mitglied;;\r\n';

describe('allmende members (CLI)', () => {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };
  let orm: MikroORM;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    process.env.DATABASE_URL = testRun().appUrl;
    process.env.REDIS_URL = testRun().redisUrl;
    orm = await openOrm();
    dir = await mkdtemp(join(tmpdir(), 'allmende-members-cli-'));
    file = join(dir, 'mitglieder.csv');
    await writeFile(file, iconv.encode(FILE, 'win1252'));
  });

  afterAll(async () => {
    await orm.close(true);
    await rm(dir, { recursive: true, force: true });
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  async function tenantWithGroups(): Promise<Tenant> {
    const tenant = await createTenant(orm);
    await new TenantScope(orm).run(tenant.id, async (em) => {
      em.create(GroupSchema, { key: 'neuigkeiten', name: { de: 'Neuigkeiten' }, position: 0 });
      em.create(GroupSchema, { key: 'vorstand', name: { de: 'Vorstand' }, position: 1 });
      await em.flush();
    });
    return tenant;
  }

  async function listJson(slug: string): Promise<unknown> {
    const { out, error } = await run(['members', 'list', slug, '--json']);
    expect(error).toBeUndefined();
    return JSON.parse(out);
  }

  it('imports a file, reports rejected rows, writes the report; list --json shows the members', async () => {
    const tenant = await tenantWithGroups();
    const report = join(dir, 'report.csv');
    const { out, err, error } = await run(['members', 'import', tenant.slug, file, '--report', report]);
    expect(error).toBeUndefined();
    expect(err).toBe('');
    expect(out.split('\n')).toEqual([
      'mitglieder.csv: 4 rows (windows-1252, delimiter ";"); ignored columns: "Bemerkung"',
      'Created 3, updated 0, unchanged 0, rejected 1.',
      'Rejected rows:',
      '  row 4: E-Mail: is not a valid e-mail address ("kaputt")',
      `Rejected rows written to ${report}.`,
      '',
    ]);
    expect(await readFile(report, 'utf8')).toBe(
      '\ufeffRow;Column;Value;Reason\r\n4;E-Mail;kaputt;is not a valid e-mail address\r\n',
    );

    expect(await listJson(tenant.slug)).toEqual([
      {
        email: 'juergen.mueller@example.org',
        givenName: 'Jürgen',
        familyName: 'Müller',
        phone: '02623 1234',
        role: 'tenant_admin',
        groups: ['neuigkeiten', 'vorstand'],
      },
      {
        email: 'grete@example.org',
        givenName: 'Grete',
        familyName: 'Schäfer',
        phone: null,
        role: 'member',
        groups: [],
      },
      {
        email: 'anna.weiss@example.org',
        givenName: 'Anna',
        familyName: 'Weiß',
        phone: null,
        role: 'member',
        groups: ['neuigkeiten'],
      },
    ]);

    const json = await run(['members', 'list', tenant.slug, '--json']);
    expect(json.out.split('\n')).toEqual([
      '[',
      '  {"email":"juergen.mueller@example.org","givenName":"Jürgen","familyName":"Müller","phone":"02623 1234","role":"tenant_admin","groups":["neuigkeiten","vorstand"]},',
      '  {"email":"grete@example.org","givenName":"Grete","familyName":"Schäfer","phone":null,"role":"member","groups":[]},',
      '  {"email":"anna.weiss@example.org","givenName":"Anna","familyName":"Weiß","phone":null,"role":"member","groups":["neuigkeiten"]}',
      ']',
      '',
    ]);

    const again = await run(['members', 'import', tenant.slug, file]);
    expect(again.out).toContain('Created 0, updated 0, unchanged 3, rejected 1.');

    const plain = await run(['members', 'list', tenant.slug]);
    expect(plain.out.split('\n')).toEqual([
      'juergen.mueller@example.org  Jürgen Müller  tenant_admin  02623 1234  [neuigkeiten, vorstand]',
      'grete@example.org  Grete Schäfer  member',
      'anna.weiss@example.org  Anna Weiß  member  [neuigkeiten]',
      '3 members',
      '',
    ]);
  });

  it('--dry-run and --strict with a bad row write nothing; --strict exits with 1', async () => {
    const tenant = await tenantWithGroups();
    const dry = await run(['members', 'import', tenant.slug, file, '--dry-run']);
    expect(dry.error).toBeUndefined();
    expect(dry.out).toContain(
      'Dry run, nothing was written: would create 3, update 0; unchanged 0, rejected 1.',
    );
    expect(await listJson(tenant.slug)).toEqual([]);

    const strict = await run(['members', 'import', tenant.slug, file, '--strict']);
    expect(strict.error).toEqual(new CliError('1 row rejected; --strict: nothing was imported'));
    expect((strict.error as CliError).exitCode).toBe(ExitCode.error);
    expect(strict.out).toContain('Nothing was written: created 0, updated 0, unchanged 0, rejected 1.');
    expect(await listJson(tenant.slug)).toEqual([]);
  });

  it('--default-group adds every imported member to the group', async () => {
    const tenant = await tenantWithGroups();
    const { error } = await run(['members', 'import', tenant.slug, file, '--default-group', 'vorstand']);
    expect(error).toBeUndefined();
    const members = (await listJson(tenant.slug)) as { email: string; groups: string[] }[];
    expect(members.map((member) => [member.email, member.groups])).toEqual([
      ['juergen.mueller@example.org', ['neuigkeiten', 'vorstand']],
      ['grete@example.org', ['vorstand']],
      ['anna.weiss@example.org', ['neuigkeiten', 'vorstand']],
    ]);
  });

  it('refuses an unknown tenant, a missing file and an unknown default group with one line, writing nothing', async () => {
    const tenant = await tenantWithGroups();
    const unknownTenant = await run(['members', 'import', 'no-such-tenant', file]);
    expect(unknownTenant.error).toEqual(new CliError('no tenant "no-such-tenant"', ExitCode.notFound));
    expect((unknownTenant.error as CliError).exitCode).toBe(ExitCode.notFound);

    const missing = join(dir, 'fehlt.csv');
    const noFile = await run(['members', 'import', tenant.slug, missing]);
    expect(noFile.error).toEqual(new CliError(`no such file: ${missing}`));

    const unknownGroup = await run(['members', 'import', tenant.slug, file, '--default-group', 'schach']);
    expect(unknownGroup.error).toEqual(
      new CliError(
        `unknown --default-group "schach" (groups of tenant ${tenant.slug}: neuigkeiten, vorstand)`,
      ),
    );
    expect((unknownGroup.error as CliError).exitCode).toBe(ExitCode.notFound);

    const badEncoding = await run(['members', 'import', tenant.slug, file, '--encoding', 'klingon']);
    expect(badEncoding.error).toEqual(
      new CliError('unknown encoding "klingon" (e.g. utf-8, windows-1252, iso-8859-1)'),
    );
    expect(await listJson(tenant.slug)).toEqual([]);
  });

  it('exports to standard output and to a file; --group filters', async () => {
    const tenant = await tenantWithGroups();
    await run(['members', 'import', tenant.slug, file]);
    const header = '\ufeffE-Mail;Vorname;Nachname;Telefon;Rolle;Gruppen\r\n';

    const toStdout = await run(['members', 'export', tenant.slug, '--group', 'vorstand']);
    expect(toStdout.error).toBeUndefined();
    expect(toStdout.out).toBe(
      `${header}juergen.mueller@example.org;Jürgen;Müller;02623 1234;Administrator;neuigkeiten|vorstand\r\n`,
    );

    const target = join(dir, 'export.csv');
    const toFile = await run(['members', 'export', tenant.slug, '--out', target]);
    expect(toFile.out).toBe(`Exported 3 members to ${target}.\n`);
    expect((await readFile(target, 'utf8')).split('\r\n')).toEqual([
      `${header.trimEnd()}`,
      'juergen.mueller@example.org;Jürgen;Müller;02623 1234;Administrator;neuigkeiten|vorstand',
      'grete@example.org;Grete;Schäfer;;Mitglied;',
      'anna.weiss@example.org;Anna;Weiß;;Mitglied;neuigkeiten',
      '',
    ]);

    const unknown = await run([
      'members',
      'export',
      tenant.slug,
      '--group',
      'schach',
      '--out',
      join(dir, 'x.csv'),
    ]);
    expect(unknown.error).toEqual(
      new CliError(`unknown --group "schach" (groups of tenant ${tenant.slug}: neuigkeiten, vorstand)`),
    );
    await expect(readFile(join(dir, 'x.csv'))).rejects.toThrow(/ENOENT/);
  });

  it('shows the commands in --help', async () => {
    const { out, error } = await run(['members', '--help']);
    expect((error as CommanderError).exitCode).toBe(0);
    expect(out).toMatch(/^\s+import \[options\] <tenant> <file>/m);
    expect(out).toMatch(/^\s+export \[options\] <tenant>/m);
    expect(out).toMatch(/^\s+list \[options\] <tenant>/m);
  });
});
