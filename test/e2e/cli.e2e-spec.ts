import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from '@allmende/db';
import { testRun } from '../support/test-run';

/** The built `allmende` binary, run as a user runs it (`npm test` builds before testing). */
const cli = join(__dirname, '../../dist/apps/cli/src/main.js');

function allmende(args: string[], env: Record<string, string | undefined> = {}) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the built allmende CLI', () => {
  beforeAll(() => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first (npm test does)`);
  });

  const databaseEnv = () => ({
    DATABASE_URL: testRun().appUrl,
    DATABASE_OWNER_URL: testRun().ownerUrl,
    REDIS_URL: testRun().redisUrl,
  });

  it('--help lists the commands', () => {
    const { code, stdout } = allmende(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s+db\b/m);
    expect(stdout).toMatch(/^\s+dev\b/m);
  });

  it('db status reports the applied migrations', () => {
    const { code, stdout } = allmende(['db', 'status'], databaseEnv());
    expect(code).toBe(0);
    expect(stdout).toMatch(/^applied\s+\S+\s+Migration20261125000000_foundation$/m);
    expect(stdout).toMatch(new RegExp(`^${MIGRATIONS.length} applied, 0 pending$`, 'm'));
  });

  it('db status --json lists migrations as JSON', () => {
    const { code, stdout } = allmende(['db', 'status', '--json'], databaseEnv());
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(
      MIGRATIONS.map((migration) => ({ name: migration.name, applied: true, appliedAt: expect.any(String) })),
    );
  });

  it('db migrate on an up-to-date database changes nothing', () => {
    const { code, stdout } = allmende(['db', 'migrate', '--json'], databaseEnv());
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ applied: [] });
  });

  it('db diff on a migrated database names only the deliberate extras of the migrations', () => {
    const { code, stdout } = allmende(['db', 'diff'], databaseEnv());
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/add|create table|alter column/i);
  });

  it('db migrate without the owner URL fails with one line naming it', () => {
    const { code, stdout, stderr } = allmende(['db', 'migrate'], {
      ...databaseEnv(),
      DATABASE_OWNER_URL: undefined,
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'allmende: invalid configuration: DATABASE_OWNER_URL: is required for this command\n',
    );
  });

  it('a missing variable fails with one line naming it', () => {
    const { code, stderr } = allmende(['db', 'status'], { REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(code).toBe(1);
    expect(stderr).toBe('allmende: invalid configuration: DATABASE_URL: is required\n');
  });

  it('an unreachable database fails with one line and a non-zero code', () => {
    const { code, stderr } = allmende(['db', 'status'], {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^allmende: /);
  });
});
