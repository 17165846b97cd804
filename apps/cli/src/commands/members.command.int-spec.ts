import { CommanderError } from 'commander';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import iconv from 'iconv-lite';
import { ConfigError } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { startDevIdentityProvider, type DevIdentityProvider } from '@allmende/dev-idp';
import { GroupSchema } from '@allmende/groups';
import { DevIdentityDirectory } from '@allmende/identity';
import type { Tenant } from '@allmende/tenants';
import {
  createTenant,
  createTenantWithMembers,
  invitedAtByEmail,
  openOrm,
} from '../../../../test/support/fixtures';
import { testRun } from '../../../../test/support/test-run';
import { CliError, ExitCode } from '../output';
import { buildProgram, type ProgramDependencies } from '../program';

interface Result {
  out: string;
  err: string;
  error?: unknown;
}

function run(args: string[], dependencies: ProgramDependencies = {}): Promise<Result> {
  let out = '';
  let err = '';
  // Like processOutput: a line break is added unless the text ends with one.
  const line = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);
  const program = buildProgram(
    { out: (text) => (out += line(text)), err: (text) => (err += line(text)) },
    dependencies,
  );
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
    expect(out).toMatch(/^\s+invite \[options\] <tenant> \[emails\.\.\.\]/m);
  });
});

describe('allmende members invite, import --invite (CLI, dev identity provider)', () => {
  const ADMIN_TOKEN = randomBytes(24).toString('hex');
  const saved = {
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    PUBLIC_URL: process.env.PUBLIC_URL,
    IDENTITY_DIRECTORY: process.env.IDENTITY_DIRECTORY,
    KEYCLOAK_URL: process.env.KEYCLOAK_URL,
    KEYCLOAK_REALM: process.env.KEYCLOAK_REALM,
    DEV_IDP_ADMIN_TOKEN: process.env.DEV_IDP_ADMIN_TOKEN,
    KEYCLOAK_ADMIN_CLIENT_SECRET: process.env.KEYCLOAK_ADMIN_CLIENT_SECRET,
  };
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let dir: string;
  /** The CLI with the dev provider's directory injected. */
  let withDev: ProgramDependencies;

  beforeAll(async () => {
    process.env.DATABASE_URL = testRun().appUrl;
    process.env.REDIS_URL = testRun().redisUrl;
    delete process.env.PUBLIC_URL;
    delete process.env.IDENTITY_DIRECTORY;
    delete process.env.KEYCLOAK_URL;
    delete process.env.DEV_IDP_ADMIN_TOKEN;
    delete process.env.KEYCLOAK_ADMIN_CLIENT_SECRET;
    orm = await openOrm();
    idp = await startDevIdentityProvider({ clients: [], users: [], adminToken: ADMIN_TOKEN });
    withDev = {
      identityDirectory: () =>
        new DevIdentityDirectory({ url: idp.url, realm: idp.realm, adminToken: ADMIN_TOKEN }),
    };
    dir = await mkdtemp(join(tmpdir(), 'allmende-invite-cli-'));
  });

  afterAll(async () => {
    await idp.stop();
    await orm.close(true);
    await rm(dir, { recursive: true, force: true });
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const unique = (name: string) => `${name}.${randomBytes(4).toString('hex')}@example.org`;
  const mailsTo = (email: string) => idp.actionEmails().filter((mail) => mail.email === email);

  it('invites named members; a second run sends nothing; --resend sends again', async () => {
    const anna = unique('anna');
    const ben = unique('ben');
    const tenant = await createTenantWithMembers(orm, [{ email: anna }, { email: ben }]);

    const first = await run(['members', 'invite', tenant.slug, anna, ben.toUpperCase()], withDev);
    expect(first.error).toBeUndefined();
    expect(first.out.split('\n')).toEqual([
      `${anna}: invited`,
      `${ben}: invited`,
      'Invited 2; skipped 0 (0 invited already, 0 signed in already); not found 0; failed 0.',
      '',
    ]);
    expect(mailsTo(anna)).toEqual([
      expect.objectContaining({ actions: ['VERIFY_EMAIL', 'UPDATE_PASSWORD'] }),
    ]);
    // Without PUBLIC_URL, no link back to a portal.
    expect(mailsTo(anna)[0]!.redirectUri).toBeUndefined();
    expect(mailsTo(ben)).toHaveLength(1);
    const stored = await invitedAtByEmail(orm, tenant);
    expect(stored[anna]).toBeInstanceOf(Date);
    expect(stored[ben]).toBeInstanceOf(Date);

    const second = await run(['members', 'invite', tenant.slug, anna, ben], withDev);
    expect(second.error).toBeUndefined();
    const time = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    expect(second.out.split('\n')).toEqual([
      `${anna}: skipped, invited already on ${time(stored[anna]!)} (--resend invites again)`,
      `${ben}: skipped, invited already on ${time(stored[ben]!)} (--resend invites again)`,
      'Invited 0; skipped 2 (2 invited already, 0 signed in already); not found 0; failed 0.',
      '',
    ]);
    expect(mailsTo(anna)).toHaveLength(1);
    expect(await invitedAtByEmail(orm, tenant)).toEqual(stored);

    const resent = await run(['members', 'invite', tenant.slug, anna, '--resend'], withDev);
    expect(resent.error).toBeUndefined();
    expect(resent.out).toContain(`${anna}: invited\n`);
    expect(mailsTo(anna)).toHaveLength(2);
    expect(mailsTo(ben)).toHaveLength(1);
  });

  it('--all-uninvited invites everyone not invited and not signed in; running it again sends nothing', async () => {
    const fresh = [unique('carla'), unique('dora')].sort();
    const signedIn = unique('emil');
    const earlier = unique('frieda');
    const earlierAt = new Date('2026-03-04T05:06:00Z');
    const tenant = await createTenantWithMembers(orm, [
      ...fresh.map((email) => ({ email })),
      { email: signedIn, signedIn: true },
      { email: earlier, invitedAt: earlierAt },
    ]);

    const { out, error } = await run(['members', 'invite', tenant.slug, '--all-uninvited'], withDev);
    expect(error).toBeUndefined();
    expect(out.split('\n')).toEqual([
      `${fresh[0]}: invited`,
      `${fresh[1]}: invited`,
      'Invited 2; skipped 0 (0 invited already, 0 signed in already); not found 0; failed 0.',
      '',
    ]);
    expect(mailsTo(signedIn)).toEqual([]);
    expect(mailsTo(earlier)).toEqual([]);
    expect((await invitedAtByEmail(orm, tenant))[earlier]).toEqual(earlierAt);

    const sentBefore = idp.actionEmails().length;
    const again = await run(['members', 'invite', tenant.slug, '--all-uninvited'], withDev);
    expect(again.error).toBeUndefined();
    expect(again.out).toBe(
      'Invited 0; skipped 0 (0 invited already, 0 signed in already); not found 0; failed 0.\n',
    );
    expect(idp.actionEmails()).toHaveLength(sentBefore);
  });

  it('skips members who signed in; reports unknown e-mails with exit code 4 and still invites the rest', async () => {
    const gerd = unique('gerd');
    const hanna = unique('hanna');
    const tenant = await createTenantWithMembers(orm, [{ email: gerd, signedIn: true }, { email: hanna }]);
    const { out, error } = await run(
      ['members', 'invite', tenant.slug, gerd, 'niemand@example.org', hanna, '--resend'],
      withDev,
    );
    expect(out.split('\n')).toEqual([
      `${gerd}: skipped, has signed in already`,
      `niemand@example.org: not found (no member of tenant ${tenant.slug} has this e-mail)`,
      `${hanna}: invited`,
      'Invited 1; skipped 1 (0 invited already, 1 signed in already); not found 1; failed 0.',
      '',
    ]);
    expect(error).toEqual(
      new CliError(
        `no member of tenant ${tenant.slug} with the e-mail niemand@example.org`,
        ExitCode.notFound,
      ),
    );
    expect((error as CliError).exitCode).toBe(ExitCode.notFound);
    expect(mailsTo(gerd)).toEqual([]);
    expect(mailsTo(hanna)).toHaveLength(1);
  });

  it('--dry-run sends and writes nothing; --json prints the outcome', async () => {
    const ida = unique('ida');
    const jan = unique('jan');
    const tenant = await createTenantWithMembers(orm, [{ email: ida }, { email: jan, signedIn: true }]);

    const dry = await run(['members', 'invite', tenant.slug, '--all-uninvited', '--dry-run'], withDev);
    expect(dry.error).toBeUndefined();
    expect(dry.out.split('\n')).toEqual([
      `${ida}: would be invited`,
      'Dry run, nothing was sent: would invite 1; skipped 0 (0 invited already, 0 signed in already); not found 0; failed 0.',
      '',
    ]);
    expect(mailsTo(ida)).toEqual([]);
    expect((await invitedAtByEmail(orm, tenant))[ida]).toBeNull();

    const json = await run(['members', 'invite', tenant.slug, ida, jan, 'x@example.org', '--json'], withDev);
    expect((json.error as CliError).exitCode).toBe(ExitCode.notFound);
    expect(JSON.parse(json.out)).toEqual({
      tenant: tenant.slug,
      dryRun: false,
      invited: [ida],
      alreadyInvited: [],
      signedIn: [jan],
      notFound: ['x@example.org'],
      failed: [],
    });
  });

  it('sends people to their portal when PUBLIC_URL is set; uses the configured directory without injection', async () => {
    const kai = unique('kai');
    const tenant = await createTenantWithMembers(orm, [{ email: kai }]);
    process.env.PUBLIC_URL = 'https://allmende.example/';
    process.env.IDENTITY_DIRECTORY = 'dev';
    process.env.KEYCLOAK_URL = idp.url;
    process.env.KEYCLOAK_REALM = idp.realm;
    process.env.DEV_IDP_ADMIN_TOKEN = ADMIN_TOKEN;
    try {
      const { error } = await run(['members', 'invite', tenant.slug, kai]);
      expect(error).toBeUndefined();
    } finally {
      for (const name of ['PUBLIC_URL', 'IDENTITY_DIRECTORY', 'KEYCLOAK_URL', 'DEV_IDP_ADMIN_TOKEN']) {
        delete process.env[name];
      }
      if (saved.KEYCLOAK_REALM === undefined) delete process.env.KEYCLOAK_REALM;
      else process.env.KEYCLOAK_REALM = saved.KEYCLOAK_REALM;
    }
    expect(mailsTo(kai)).toEqual([expect.objectContaining({ redirectUri: 'https://allmende.example/me' })]);
  });

  it('refuses a missing identity configuration and wrong arguments before doing anything', async () => {
    const tenant = await createTenantWithMembers(orm, [{ email: unique('lea') }]);
    const noConfig = await run(['members', 'invite', tenant.slug, '--all-uninvited']);
    expect(noConfig.error).toBeInstanceOf(ConfigError);
    expect((noConfig.error as ConfigError).problems).toEqual([
      'KEYCLOAK_URL: is required when IDENTITY_DIRECTORY=keycloak (member invitations)',
      'KEYCLOAK_ADMIN_CLIENT_SECRET: is required when IDENTITY_DIRECTORY=keycloak (member invitations)',
    ]);
    expect((await run(['members', 'invite', tenant.slug], withDev)).error).toEqual(
      new CliError("name the members' e-mails, or use --all-uninvited"),
    );
    expect(
      (await run(['members', 'invite', tenant.slug, 'a@example.org', '--all-uninvited'], withDev)).error,
    ).toEqual(new CliError('name e-mails or use --all-uninvited, not both'));
    expect((await run(['members', 'invite', 'no-such-tenant', '--all-uninvited'], withDev)).error).toEqual(
      new CliError('no tenant "no-such-tenant"', ExitCode.notFound),
    );
    expect(Object.values(await invitedAtByEmail(orm, tenant))).toEqual([null]);
  });

  it('import --invite invites the created members (and uninvited ones of the file); --dry-run only counts', async () => {
    const max = unique('max');
    const nina = unique('nina');
    const otto = unique('otto');
    const paula = unique('paula');
    const tenant = await createTenantWithMembers(orm, [
      { email: otto, invitedAt: new Date('2026-05-01T10:00:00Z') },
      { email: paula, signedIn: true },
    ]);
    const file = join(dir, `${tenant.slug}.csv`);
    await writeFile(
      file,
      'E-Mail;Vorname;Nachname\n' +
        `${max};Max;Mustermann\n${nina};Nina;Neumann\nkaputt;Kai;Putt\n${otto};Otto;Ohm\n${paula};Paula;Pohl\n`,
    );

    const dry = await run(['members', 'import', tenant.slug, file, '--invite', '--dry-run'], withDev);
    expect(dry.error).toBeUndefined();
    expect(dry.out).toContain(
      'Dry run, nothing was written: would create 2, update 2; unchanged 0, rejected 1.',
    );
    expect(dry.out).toContain('--invite: would invite 2 members.\n');
    expect(mailsTo(max)).toEqual([]);

    const imported = await run(['members', 'import', tenant.slug, file, '--invite'], withDev);
    expect(imported.error).toBeUndefined();
    const lines = imported.out.split('\n');
    expect(lines.slice(lines.indexOf('Created 2, updated 2, unchanged 0, rejected 1.') + 1)).toEqual([
      'Rejected rows:',
      '  row 4: E-Mail: is not a valid e-mail address ("kaputt")',
      `${max}: invited`,
      `${nina}: invited`,
      'Invited 2; skipped 2 (1 invited already, 1 signed in already); not found 0; failed 0.',
      '',
    ]);
    expect(mailsTo(max)).toHaveLength(1);
    expect(mailsTo(nina)).toHaveLength(1);
    expect(mailsTo(otto)).toEqual([]);
    expect(mailsTo(paula)).toEqual([]);

    const again = await run(['members', 'import', tenant.slug, file, '--invite'], withDev);
    expect(again.error).toBeUndefined();
    expect(again.out).toContain(
      'Invited 0; skipped 4 (3 invited already, 1 signed in already); not found 0; failed 0.',
    );
    expect(mailsTo(max)).toHaveLength(1);
  });

  it('a failing directory (wrong admin token) reports every failure, exits 1, and keeps the rows as they were', async () => {
    const quirin = unique('quirin');
    const rosa = unique('rosa');
    const earlierAt = new Date('2026-02-03T04:05:00Z');
    const tenant = await createTenantWithMembers(orm, [
      { email: quirin },
      { email: rosa, invitedAt: earlierAt },
    ]);
    const wrongToken: ProgramDependencies = {
      identityDirectory: () =>
        new DevIdentityDirectory({ url: idp.url, realm: idp.realm, adminToken: `${ADMIN_TOKEN}-wrong` }),
    };
    const sentBefore = idp.actionEmails().length;
    const stefan = unique('stefan');
    const file = join(dir, `${tenant.slug}-fail.csv`);
    await writeFile(file, `E-Mail;Vorname;Nachname\n${stefan};Stefan;Stein\n`);

    const invite = await run(['members', 'invite', tenant.slug, quirin, rosa, '--resend'], wrongToken);
    const lines = invite.out.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${quirin.replace(/\./g, '\\.')}: failed: .+`));
    expect(lines[1]).toMatch(new RegExp(`^${rosa.replace(/\./g, '\\.')}: failed: .+`));
    expect(lines[2]).toBe(
      'Invited 0; skipped 0 (0 invited already, 0 signed in already); not found 0; failed 2.',
    );
    expect(invite.out).not.toContain(ADMIN_TOKEN);
    expect(invite.error).toEqual(new CliError('2 invitations failed; the others were not affected'));
    expect((invite.error as CliError).exitCode).toBe(ExitCode.error);

    // The import itself is written; only the invitations fail, and a later run sends them.
    const imported = await run(['members', 'import', tenant.slug, file, '--invite'], wrongToken);
    expect(imported.out).toContain('Created 1, updated 0, unchanged 0, rejected 0.');
    expect(imported.out).toContain(`${stefan}: failed: `);
    expect((imported.error as CliError).exitCode).toBe(ExitCode.error);
    expect(idp.actionEmails()).toHaveLength(sentBefore);
    expect(await invitedAtByEmail(orm, tenant)).toEqual({
      [quirin]: null,
      [rosa]: earlierAt,
      [stefan]: null,
    });

    const retry = await run(['members', 'invite', tenant.slug, '--all-uninvited'], withDev);
    expect(retry.error).toBeUndefined();
    expect(retry.out).toContain('Invited 2;');
    expect(mailsTo(quirin)).toHaveLength(1);
    expect(mailsTo(stefan)).toHaveLength(1);
  });
});
