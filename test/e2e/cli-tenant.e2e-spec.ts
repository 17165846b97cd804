import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueSlug } from '../support/fixtures';
import { pngImage } from '../support/png';
import { testRun } from '../support/test-run';

/** The built `allmende` binary (npm test builds before testing). */
const cli = join(__dirname, '../../dist/apps/cli/src/main.js');

function allmende(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, DATABASE_URL: testRun().appUrl, REDIS_URL: testRun().redisUrl },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('allmende tenant', () => {
  it('create --dry-run prints the plan and creates nothing', () => {
    const slug = uniqueSlug('dry');
    const dry = allmende(
      'tenant',
      'create',
      slug,
      '--name',
      'Ortsgemeinde Probe',
      '--template',
      'municipality',
      '--dry-run',
    );
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Would create tenant .* \(municipality\)/);
    expect(dry.stdout).toMatch(/grillhuette/);
    expect(allmende('tenant', 'show', slug).code).toBe(4);
  });

  it('create, show, re-create (exit code 3), list, disable and enable', () => {
    const slug = uniqueSlug('vg');
    const created = allmende(
      'tenant',
      'create',
      slug,
      '--name',
      'Verbandsgemeinde Ransbach-Baumbach',
      '--template',
      'municipality',
      '--admin-email',
      'buergermeisterin@example.org',
    );
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(new RegExp(`Created tenant ${slug} with \\d+ groups`));

    const shown = allmende('tenant', 'show', slug, '--json');
    expect(shown.code).toBe(0);
    const overview = JSON.parse(shown.stdout);
    expect(overview.tenant).toMatchObject({
      slug,
      kind: 'municipality',
      status: 'active',
      template: 'municipality',
    });
    expect(overview.members).toBe(1);
    expect(overview.groups.slice(0, 4).map((group: { key: string }) => group.key)).toEqual([
      'neuigkeiten',
      'gesucht-gefunden',
      'mach-mit',
      'grillhuette',
    ]);
    expect(overview.groups[3]).toMatchObject({
      resources: ['grillhuette'],
      modules: expect.arrayContaining(['booking']),
    });
    expect(allmende('tenant', 'show', slug).stdout).toMatch(/grillhuette\s+"Grillhütte"/);

    const again = allmende('tenant', 'create', slug, '--name', 'Anders', '--template', 'school');
    expect(again.code).toBe(3);
    expect(again.stderr).toBe(`allmende: tenant "${slug}" exists already; nothing changed\n`);
    expect(JSON.parse(allmende('tenant', 'show', slug, '--json').stdout)).toEqual(overview);

    const listed = JSON.parse(allmende('tenant', 'list', '--json').stdout) as { slug: string }[];
    expect(listed.map((tenant) => tenant.slug)).toContain(slug);

    expect(allmende('tenant', 'disable', slug).stdout).toBe(`Disabled tenant ${slug}.\n`);
    expect(allmende('tenant', 'disable', slug).stdout).toMatch(/suspended already; nothing changed/);
    expect(JSON.parse(allmende('tenant', 'show', slug, '--json').stdout).tenant.status).toBe('suspended');
    expect(allmende('tenant', 'enable', slug).stdout).toBe(`Enabled tenant ${slug}.\n`);
  });

  it('apply-template adds what is missing and then nothing', () => {
    const slug = uniqueSlug('club');
    expect(
      allmende('tenant', 'create', slug, '--name', 'TuS Probe 1907 e.V.', '--template', 'sports-club').code,
    ).toBe(0);
    const sameTemplate = allmende('tenant', 'apply-template', slug, 'sports-club');
    expect(sameTemplate).toMatchObject({ code: 0 });
    expect(sameTemplate.stdout).toMatch(/has everything of the template already; nothing changed/);
    const added = allmende('tenant', 'apply-template', slug, 'nonprofit');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/Added groups: /);
  });

  it('refuses bad input with one line and changes nothing', () => {
    const badSlug = allmende(
      'tenant',
      'create',
      'Ransbach_Baumbach',
      '--name',
      'X',
      '--template',
      'municipality',
    );
    expect(badSlug.code).toBe(1);
    expect(badSlug.stderr).toMatch(
      /^allmende: invalid tenant slug "Ransbach_Baumbach": use lower-case letters/,
    );

    const unknownTemplate = allmende('tenant', 'create', uniqueSlug(), '--name', 'X', '--template', 'castle');
    expect(unknownTemplate.code).toBe(1);
    expect(unknownTemplate.stderr).toMatch(
      /castle is not a valid tenant template: no such template \(known: church, municipality/,
    );

    const dir = mkdtempSync(join(tmpdir(), 'allmende-template-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'kind: municipality\nname: { de: Kaputt }\ngroups: []\n');
    const broken = allmende('tenant', 'create', uniqueSlug(), '--name', 'X', '--template', file);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/is not a valid tenant template: groups: /);

    const missing = allmende('tenant', 'show', 'gibt-es-nicht');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe('allmende: no tenant "gibt-es-nicht"\n');
  });

  it('brand sets, checks and clears the accent colour and the logo', () => {
    const slug = uniqueSlug('brand');
    expect(
      allmende('tenant', 'create', slug, '--name', 'Pfarrei St. Martin', '--template', 'church').code,
    ).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'allmende-brand-'));
    const png = join(dir, 'wappen.png');
    writeFileSync(
      png,
      pngImage(8, 8, () => [200, 30, 30]),
    );
    const svg = join(dir, 'wappen.svg');
    writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const branding = () => {
      const { tenant } = JSON.parse(allmende('tenant', 'show', slug, '--json').stdout);
      return { accentColor: tenant.accentColor, logo: tenant.logo };
    };

    // Too light for white button labels (#ffcc00 on white is 1.6:1): refused, nothing stored.
    const light = allmende('tenant', 'brand', slug, '--accent', '#ffcc00', '--logo', png);
    expect(light.code).toBe(1);
    expect(light.stderr).toMatch(/--accent: .*contrast of at least 4.5:1.* Nothing changed\./);
    const script = allmende('tenant', 'brand', slug, '--logo', svg);
    expect(script.code).toBe(1);
    expect(script.stderr).toMatch(/--logo: The logo must be a PNG, JPEG or WebP image/);
    expect(allmende('tenant', 'brand', slug, '--logo', join(dir, 'missing.png')).stderr).toMatch(
      /cannot read .*ENOENT/,
    );
    expect(branding()).toEqual({ accentColor: null, logo: null });

    const set = allmende('tenant', 'brand', slug, '--accent', '#0B5E3B', '--logo', png);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    // (The command reads the tenant back after writing: its line is what is stored.)
    expect(set.stdout).toBe(`Tenant ${slug}: accent #0b5e3b, logo image/png.\n`);

    const cleared = allmende('tenant', 'brand', slug, '--clear-accent', '--clear-logo');
    expect(cleared).toMatchObject({ code: 0, stdout: `Tenant ${slug}: accent -, logo -.\n` });
    expect(allmende('tenant', 'brand', 'no-such-tenant', '--accent', '#0b5e3b').code).toBe(4);
  });
});
