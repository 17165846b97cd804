import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantSchema, type Tenant } from '@allmende/tenants';
import { createTenant, openOrm, uniqueSlug } from '../../../../test/support/fixtures';
import { pngImage } from '../../../../test/support/png';
import { testRun } from '../../../../test/support/test-run';
import { CliError, errorLine, ExitCode } from '../output';
import { buildProgram } from '../program';

/** `allmende …` in this process (the binary itself is covered by test/e2e/cli-tenant.e2e-spec.ts). */
async function run(args: string[]): Promise<{ out: string; err: string; error?: unknown }> {
  let out = '';
  let err = '';
  const line = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);
  const program = buildProgram({ out: (text) => (out += line(text)), err: (text) => (err += line(text)) });
  try {
    await program.parseAsync(['node', 'allmende', ...args]);
    return { out, err };
  } catch (error) {
    return { out, err, error };
  }
}

describe('allmende tenant brand', () => {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };
  let orm: MikroORM;
  let dir: string;
  let tenant: Tenant;
  let png: string;

  beforeAll(async () => {
    process.env.DATABASE_URL = testRun().appUrl;
    process.env.REDIS_URL = testRun().redisUrl;
    orm = await openOrm();
    tenant = await createTenant(orm, 'Pfarrei St. Martin');
    dir = await mkdtemp(join(tmpdir(), 'allmende-brand-'));
    png = join(dir, 'wappen.png');
    await writeFile(
      png,
      pngImage(8, 8, () => [200, 30, 30]),
    );
  });

  afterAll(async () => {
    await orm.close(true);
    await rm(dir, { recursive: true, force: true });
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  /** What is stored, read straight from the table. */
  async function stored() {
    const row = await orm.em.fork().findOneOrFail(TenantSchema, { id: tenant.id }, { populate: ['logo'] });
    return { accentColor: row.accentColor, logo: row.logoMediaType, bytes: row.logo?.length ?? 0 };
  }

  const refusal = (result: { error?: unknown }) =>
    result.error instanceof CliError
      ? { message: result.error.message, code: result.error.exitCode }
      : result.error;

  it('refuses a light colour, a script-bearing SVG, a missing file and nothing to do, and changes nothing', async () => {
    // #ffcc00 on white is 1.6:1: white button labels would be unreadable. The valid logo of the
    // same call is not stored either.
    const light = await run(['tenant', 'brand', tenant.slug, '--accent', '#ffcc00', '--logo', png]);
    expect(refusal(light)).toEqual({
      message: expect.stringMatching(
        /^--accent: .*contrast of at least 4\.5:1 against white.* Nothing changed\.$/,
      ),
      code: ExitCode.error,
    });
    const svg = join(dir, 'wappen.svg');
    await writeFile(svg, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    expect(refusal(await run(['tenant', 'brand', tenant.slug, '--logo', svg]))).toEqual({
      message: expect.stringMatching(/^--logo: The logo must be a PNG, JPEG or WebP image/),
      code: ExitCode.error,
    });
    expect(refusal(await run(['tenant', 'brand', tenant.slug, '--logo', join(dir, 'missing.png')]))).toEqual({
      message: expect.stringMatching(/cannot read .*ENOENT/),
      code: ExitCode.error,
    });
    expect(
      refusal(await run(['tenant', 'brand', tenant.slug, '--accent', '#0b5e3b', '--clear-accent'])),
    ).toEqual({
      message: 'give either --accent or --clear-accent',
      code: ExitCode.error,
    });
    expect(refusal(await run(['tenant', 'brand', tenant.slug]))).toEqual({
      message: expect.stringMatching(/^nothing to change/),
      code: ExitCode.error,
    });
    expect(refusal(await run(['tenant', 'brand', 'no-such-tenant', '--accent', '#0b5e3b']))).toEqual({
      message: 'no tenant "no-such-tenant"',
      code: ExitCode.notFound,
    });
    // Refused by its size, before it is read.
    const huge = join(dir, 'riesig.png');
    await writeFile(huge, Buffer.alloc(300 * 1024));
    expect(refusal(await run(['tenant', 'brand', tenant.slug, '--logo', huge]))).toEqual({
      message: expect.stringMatching(/has 307200 bytes; at most 262144 \(256 KiB\)/),
      code: ExitCode.error,
    });
    expect(await stored()).toEqual({ accentColor: null, logo: null, bytes: 0 });
  });

  it('sets accent and logo, shows them, and clears them again', async () => {
    const set = await run(['tenant', 'brand', tenant.slug, '--accent', '#0B5E3B', '--logo', png]);
    expect(set).toEqual({ out: `Tenant ${tenant.slug}: accent #0b5e3b, logo image/png.\n`, err: '' });
    expect(await stored()).toEqual({ accentColor: '#0b5e3b', logo: 'image/png', bytes: expect.any(Number) });
    expect((await stored()).bytes).toBeGreaterThan(0);
    const shown = JSON.parse((await run(['tenant', 'show', tenant.slug, '--json'])).out);
    expect(shown.tenant).toMatchObject({ accentColor: '#0b5e3b', logo: 'image/png' });
    expect((await run(['tenant', 'show', tenant.slug])).out).toContain('accent #0b5e3b, logo image/png');

    // One at a time: clearing the accent keeps the logo.
    expect((await run(['tenant', 'brand', tenant.slug, '--clear-accent'])).out).toBe(
      `Tenant ${tenant.slug}: accent -, logo image/png.\n`,
    );
    expect((await run(['tenant', 'brand', tenant.slug, '--clear-logo'])).out).toBe(
      `Tenant ${tenant.slug}: accent -, logo -.\n`,
    );
    expect(await stored()).toEqual({ accentColor: null, logo: null, bytes: 0 });
  });
});

describe('allmende tenant create and apply-template', () => {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };
  let dir: string;

  beforeAll(async () => {
    process.env.DATABASE_URL = testRun().appUrl;
    process.env.REDIS_URL = testRun().redisUrl;
    dir = await mkdtemp(join(tmpdir(), 'allmende-template-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  /** The line `allmende` prints for the refusal (main.ts). */
  const message = (result: { error?: unknown }) => errorLine(result.error);

  it('apply-template adds what is missing and then nothing', async () => {
    const slug = uniqueSlug('club');
    const created = await run([
      'tenant',
      'create',
      slug,
      '--name',
      'TuS Probe 1907 e.V.',
      '--template',
      'sports-club',
    ]);
    expect(created.error).toBeUndefined();
    const same = await run(['tenant', 'apply-template', slug, 'sports-club']);
    expect(same.out).toMatch(/has everything of the template already; nothing changed/);
    const added = await run(['tenant', 'apply-template', slug, 'nonprofit']);
    expect(added.error).toBeUndefined();
    expect(added.out).toMatch(/Added groups: /);
  });

  it('refuses a bad slug, an unknown or broken template with one line, and creates nothing', async () => {
    const badSlug = await run([
      'tenant',
      'create',
      'Ransbach_Baumbach',
      '--name',
      'X',
      '--template',
      'municipality',
    ]);
    expect(message(badSlug)).toMatch(/^invalid tenant slug "Ransbach_Baumbach": use lower-case letters/);

    const slug = uniqueSlug();
    const unknown = await run(['tenant', 'create', slug, '--name', 'X', '--template', 'castle']);
    expect(message(unknown)).toMatch(
      /castle is not a valid tenant template: no such template \(known: church, municipality/,
    );

    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'kind: municipality\nname: { de: Kaputt }\ngroups: []\n');
    const broken = await run(['tenant', 'create', slug, '--name', 'X', '--template', file]);
    expect(message(broken)).toMatch(/is not a valid tenant template: groups: /);

    const shown = await run(['tenant', 'show', slug]);
    expect(shown.error).toMatchObject({ exitCode: ExitCode.notFound });
  });
});
