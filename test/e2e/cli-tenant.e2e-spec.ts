import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { uniqueSlug } from '../support/fixtures';
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

  // The binary's own part of a refusal: "allmende: " and one line on stderr, and the exit code
  // (the other refusals and apply-template run in process: apps/cli/src/commands/tenant.command.int-spec.ts).
  it('refuses with one line on stderr and the exit code', () => {
    const missing = allmende('tenant', 'show', 'gibt-es-nicht');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe('allmende: no tenant "gibt-es-nicht"\n');
  });
});
