import { CommanderError } from 'commander';
import { buildProgram } from './program';
import { packageVersion } from './package-info';

function run(args: string[]): Promise<{ out: string; err: string; error?: CommanderError }> {
  let out = '';
  let err = '';
  const program = buildProgram({ out: (text) => (out += text), err: (text) => (err += text) });
  return program.parseAsync(['node', 'allmende', ...args]).then(
    () => ({ out, err }),
    (error: unknown) => {
      if (!(error instanceof CommanderError)) throw error;
      return { out, err, error };
    },
  );
}

describe('allmende CLI', () => {
  it('--help lists the commands', async () => {
    const { out, error } = await run(['--help']);
    expect(error?.exitCode).toBe(0);
    expect(out).toMatch(/Usage: allmende/);
    expect(out).toMatch(/^\s+db\b/m);
    expect(out).toMatch(/^\s+dev\b/m);
    expect(out).toMatch(/^\s+jobs\b/m);
    expect(out).toMatch(/^\s+digest\b/m);
  });

  it('jobs --help lists failed and retry', async () => {
    const { out } = await run(['jobs', '--help']);
    expect(out).toMatch(/^\s+failed\b/m);
    expect(out).toMatch(/^\s+retry\b/m);
  });

  it('jobs failed refuses an unknown queue', async () => {
    const { err, error } = await run(['jobs', 'failed', '--queue', 'nope']);
    expect(error?.exitCode).toBe(1);
    expect(err).toMatch(/Allowed choices are system, notifications, mail/);
  });

  it('db --help lists migrate and status', async () => {
    const { out } = await run(['db', '--help']);
    expect(out).toMatch(/^\s+migrate\b/m);
    expect(out).toMatch(/^\s+status\b/m);
  });

  it('--version prints the package version', async () => {
    const { out, error } = await run(['--version']);
    expect(error?.exitCode).toBe(0);
    expect(out.trim()).toBe(packageVersion());
  });

  it('an unknown command is an error with a non-zero exit code', async () => {
    const { err, error } = await run(['frobnicate']);
    expect(error?.exitCode).toBe(1);
    expect(err).toMatch(/unknown command 'frobnicate'/);
  });

  it('an unknown option is an error with a non-zero exit code', async () => {
    const { err, error } = await run(['db', 'status', '--yaml']);
    expect(error?.exitCode).toBe(1);
    expect(err).toMatch(/unknown option '--yaml'/);
  });
});
