import { CommanderError } from 'commander';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtInTemplateDir } from '@allmende/templates';
import { CliError } from '../output';
import { buildProgram } from '../program';

interface Run {
  out: string;
  err: string;
  /** What the action threw (CliError) or commander's own exit (CommanderError). */
  error?: CliError | CommanderError;
}

/** Runs `allmende ...` in-process; every write is one line, as on a terminal. */
function run(args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const program = buildProgram({
    out: (text) => (out += text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => (err += text.endsWith('\n') ? text : `${text}\n`),
  });
  return program.parseAsync(['node', 'allmende', ...args]).then(
    () => ({ out, err }),
    (error: unknown) => {
      if (!(error instanceof CommanderError || error instanceof CliError)) throw error;
      return { out, err, error };
    },
  );
}

describe('allmende template', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'allmende-template-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is listed in --help', async () => {
    const { out } = await run(['--help']);
    expect(out).toMatch(/^\s+template\b/m);
  });

  it('list shows the five built-in templates', async () => {
    const { out, error } = await run(['template', 'list']);
    expect(error).toBeUndefined();
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatch(
      /^municipality\s+municipality\s+\d+ groups\s+"Gemeinde \(Verbandsgemeinde\/Ortsgemeinde\)"$/,
    );
    expect(lines.map((line) => line.split(/\s+/)[0])).toEqual([
      'church',
      'municipality',
      'nonprofit',
      'school',
      'sports-club',
      '5',
    ]);
    expect(lines[4]).toMatch(/^sports-club\s+sports_club\s/);
    expect(lines[5]).toBe('5 templates');
  });

  it('list --json gives name, kind, German title and number of groups', async () => {
    const { out } = await run(['template', 'list', '--json']);
    const rows = JSON.parse(out) as Array<{ name: string; kind: string; title: string; groups: number }>;
    expect(rows.map((row) => row.name)).toEqual([
      'church',
      'municipality',
      'nonprofit',
      'school',
      'sports-club',
    ]);
    expect(rows.find((row) => row.name === 'municipality')).toEqual({
      name: 'municipality',
      kind: 'municipality',
      title: 'Gemeinde (Verbandsgemeinde/Ortsgemeinde)',
      groups: expect.any(Number),
    });
    for (const row of rows) expect(row.groups).toBeGreaterThan(0);
  });

  it('show municipality summarises groups, modules and the Grillhütte with its rules', async () => {
    const { out, error } = await run(['template', 'show', 'municipality']);
    expect(error).toBeUndefined();
    expect(out).toMatch(
      /^municipality {2}"Gemeinde \(Verbandsgemeinde\/Ortsgemeinde\)" {2}\(kind municipality\)$/m,
    );
    expect(out).toMatch(/time zone Europe\/Berlin, digest daily at 07:00/);
    expect(out).toMatch(/^ {4}neuigkeiten {2}"Neuigkeiten" {2}public\/open {2}\[news, events\]$/m);
    expect(out).toMatch(/news categories: Baustellen, Versorgung \(Strom, Wasser\), .*; urgent alerts/);
    expect(out).toMatch(/^ {4}gesucht-gefunden {2}"Gesucht – Gefunden" {2}members\/open {2}\[listings\]$/m);
    expect(out).toMatch(/^ {4}grillhuette {2}"Grillhütte" {2}public\/open {2}\[booking, events\]$/m);
    expect(out).toMatch(/^ {6}resource grillhuette {2}"Grillhütte"$/m);
    expect(out).toMatch(/approval required/);
    expect(out).toMatch(/deposit: 100,00\s€/);
    expect(out).toMatch(/Nachtruhe ab 22 Uhr/);
  });

  it('show accepts the kind spelled sports_club', async () => {
    const { out } = await run(['template', 'show', 'sports_club']);
    expect(out).toMatch(/\(kind sports_club\)/);
    expect(out).toMatch(/"Vereinsheim"/);
  });

  it('show --json prints the parsed template with defaults', async () => {
    const { out } = await run(['template', 'show', 'school', '--json']);
    const template = JSON.parse(out);
    expect(template).toMatchObject({ kind: 'school', locale: 'de', timezone: 'Europe/Berlin' });
    expect(template.groups[0].modules.news.urgentAlerts).toBe(true);
  });

  it('show of an unknown template names the known ones', async () => {
    await expect(run(['template', 'show', 'castle'])).rejects.toThrow(
      /castle is not a valid tenant template:\n {2}- no such template \(known: church, municipality/,
    );
  });

  it('validate accepts a valid file', async () => {
    const file = join(dir, 'gemeinde.yaml');
    writeFileSync(file, readFileSync(join(builtInTemplateDir(), 'municipality.yaml')));
    const { out, err, error } = await run(['template', 'validate', file]);
    expect(error).toBeUndefined();
    expect(err).toBe('');
    expect(out).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: valid \\(\\d+ groups\\)\\n$`),
    );
  });

  it('validate prints every problem with its field path and fails with exit code 1', async () => {
    const file = join(dir, 'kaputt.yaml');
    writeFileSync(
      file,
      [
        'kind: municipality',
        'name: { de: Kaputt }',
        'timezone: Mars/Olympus',
        'groups:',
        '  - key: grillhuette',
        '    name: { de: Grillhütte }',
        '    visibility: public',
        '    joinPolicy: open',
        '    modules:',
        '      booking:',
        '        resources:',
        '          - key: huette',
        '            name: { de: Grillhütte }',
        '            minHours: 4',
        '            maxHours: viele',
        '      chat: {}',
        '',
      ].join('\n'),
    );
    const { out, err, error } = await run(['template', 'validate', file]);
    expect(out).toBe('');
    expect(error).toBeInstanceOf(CliError);
    expect(error?.exitCode).toBe(1);
    expect(error?.message).toBe(`${file} is not a valid tenant template (3 problems)`);
    expect(err.trim().split('\n').sort()).toEqual(
      [
        `${file}: groups[0].modules: Unrecognized key: "chat"`,
        `${file}: groups[0].modules.booking.resources[0].maxHours: Invalid input: expected number, received string`,
        `${file}: timezone: unknown time zone`,
      ].sort(),
    );
  });

  it('validate reports broken YAML with its line', async () => {
    const file = join(dir, 'doppelt.yaml');
    writeFileSync(file, 'kind: municipality\nkind: church\n');
    const { err, error } = await run(['template', 'validate', file]);
    expect(error?.message).toBe(`${file} is not a valid tenant template (1 problem)`);
    expect(err).toBe(`${file}: YAML line 2: Map keys must be unique\n`);
  });

  it('validate of a missing file is one error line', async () => {
    const file = join(dir, 'gibt-es-nicht.yaml');
    const { err, error } = await run(['template', 'validate', file]);
    expect(err).toBe('');
    expect(error).toBeInstanceOf(CliError);
    expect(error?.message).toBe(`cannot read ${file}: no such file`);
  });

  it('validate needs a file argument', async () => {
    const { err, error } = await run(['template', 'validate']);
    expect(error).toBeInstanceOf(CommanderError);
    expect(error?.exitCode).toBe(1);
    expect(err).toMatch(/missing required argument 'file'/);
  });
});
