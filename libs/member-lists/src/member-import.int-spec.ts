import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { MikroORM } from '@mikro-orm/postgresql';
import iconv from 'iconv-lite';
import { TenantScope } from '@allmende/db';
import { GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../../../test/support/fixtures';
import { MemberListFileError } from './csv-source';
import { UnknownGroupError } from './groups';
import { exportMembers } from './member-export';
import { importMembers, type ImportMembersOptions, type ImportSummary } from './member-import';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Bytes in chunks of `size`: multi-byte characters and quoted cells get cut across chunks. */
function chunked(bytes: Buffer, size = 7): () => AsyncIterable<Uint8Array> {
  return async function* () {
    for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
  };
}

interface StoredMember {
  email: string;
  given_name: string;
  family_name: string;
  phone: string | null;
  role: string;
  groups: string;
}

describe('member import', () => {
  let orm: MikroORM;
  let scope: TenantScope;
  let dir: string;

  beforeAll(async () => {
    orm = await openOrm();
    scope = new TenantScope(orm);
    dir = await mkdtemp(join(tmpdir(), 'allmende-import-'));
  });

  afterAll(async () => {
    await orm.close(true);
    await rm(dir, { recursive: true, force: true });
  });

  /** A fresh tenant with three groups and, optionally, some members. */
  async function tenantWith(
    members: {
      email: string;
      givenName: string;
      familyName: string;
      role?: 'tenant_admin' | 'member';
    }[] = [],
  ): Promise<Tenant> {
    const tenant = await createTenant(orm);
    await scope.run(tenant.id, async (em) => {
      em.create(GroupSchema, { key: 'neuigkeiten', name: { de: 'Neuigkeiten', en: 'News' }, position: 0 });
      em.create(GroupSchema, {
        key: 'grillhuette',
        name: { de: 'Grillhütte', en: 'Barbecue hut' },
        position: 1,
      });
      em.create(GroupSchema, { key: 'vorstand', name: { de: 'Vorstand', en: 'Board' }, position: 2 });
      for (const member of members) em.create(MemberSchema, member);
      await em.flush();
    });
    return tenant;
  }

  function stored(tenant: Tenant): Promise<StoredMember[]> {
    return scope.run(tenant.id, (em) =>
      em.execute<StoredMember[]>(
        `select m.email, m.given_name, m.family_name, m.phone, m.role,
                coalesce((select string_agg(g.key, '|' order by g.position)
                            from group_members gm join groups g on g.id = gm.group_id
                           where gm.member_id = m.id), '') as groups
           from members m order by m.email`,
      ),
    );
  }

  function run(
    tenant: Tenant,
    source: ImportMembersOptions['source'],
    options: Partial<ImportMembersOptions> = {},
  ) {
    return importMembers(orm, { tenantId: tenant.id, source, ...options });
  }

  function counts(summary: ImportSummary) {
    const { rows, created, updated, unchanged, rejected } = summary;
    return { rows, created, updated, unchanged, rejected };
  }

  describe('a semicolon Windows-1252 file with umlauts (German Excel)', () => {
    const text =
      'E-Mail;Vorname;Nachname;Telefon;Gruppen\r\n' +
      'juergen.mueller@example.org;Jürgen;Müller;02623 1234;Neuigkeiten\r\n' +
      'anna.weiss@example.org;Anna;Weiß;;grillhuette|NEUIGKEITEN\r\n' +
      ' GRETE.Schaefer@Example.org ;Grete;Schäfer;+49 171 555;Grillhütte\r\n';

    it('imports from a path, detecting encoding and delimiter; a second run changes nothing', async () => {
      const tenant = await tenantWith();
      const path = join(dir, 'excel-1252.csv');
      await writeFile(path, iconv.encode(text, 'win1252'));

      const first = await run(tenant, path);
      expect(first).toMatchObject({
        encoding: 'windows-1252',
        delimiter: ';',
        ignoredColumns: [],
        written: true,
      });
      expect(counts(first)).toEqual({ rows: 3, created: 3, updated: 0, unchanged: 0, rejected: 0 });
      expect(await stored(tenant)).toEqual([
        {
          email: 'anna.weiss@example.org',
          given_name: 'Anna',
          family_name: 'Weiß',
          phone: null,
          role: 'member',
          groups: 'neuigkeiten|grillhuette',
        },
        {
          email: 'grete.schaefer@example.org',
          given_name: 'Grete',
          family_name: 'Schäfer',
          phone: '+49 171 555',
          role: 'member',
          groups: 'grillhuette',
        },
        {
          email: 'juergen.mueller@example.org',
          given_name: 'Jürgen',
          family_name: 'Müller',
          phone: '02623 1234',
          role: 'member',
          groups: 'neuigkeiten',
        },
      ]);

      const second = await run(tenant, path);
      expect(counts(second)).toEqual({ rows: 3, created: 0, updated: 0, unchanged: 3, rejected: 0 });
    });

    it('reads the same bytes as ISO-8859-1 with --encoding; an unknown encoding is refused', async () => {
      const tenant = await tenantWith();
      const bytes = iconv.encode(text, 'win1252');
      const summary = await run(tenant, chunked(bytes), { encoding: 'ISO-8859-1' });
      expect(summary.encoding).toBe('iso-8859-1');
      expect((await stored(tenant)).map((member) => member.family_name)).toEqual([
        'Weiß',
        'Schäfer',
        'Müller',
      ]);
      await expect(run(tenant, chunked(bytes), { encoding: 'klingon' })).rejects.toThrow(
        new MemberListFileError('unknown encoding "klingon"'),
      );
    });
  });

  it('imports a UTF-8 file with BOM, commas and quoted multi-line cells, with spreadsheet row numbers', async () => {
    const tenant = await tenantWith();
    const text =
      'Email,First name,Last name,Notes,Role\r\n' +
      '"lena@example.org","Lena","Krüger","Line one\r\nline two, with a comma",Admin\r\n' +
      'tom@example.org,Tom,"Meier, jun.","",member\r\n' +
      '"bad-email",Xaver,Yps,"a\r\nb\r\nc",\r\n' +
      'zoe@example.org,Zoë,Ötztal,,Mitglied\r\n';
    const summary = await run(tenant, chunked(Buffer.concat([BOM, Buffer.from(text, 'utf8')]), 5));
    expect(summary).toMatchObject({ encoding: 'utf-8', delimiter: ',', ignoredColumns: ['Notes'] });
    expect(counts(summary)).toEqual({ rows: 4, created: 3, updated: 0, unchanged: 0, rejected: 1 });
    expect(summary.rejections).toEqual([
      {
        row: 4,
        problems: [{ column: 'Email', reason: 'is not a valid e-mail address', value: 'bad-email' }],
      },
    ]);
    expect(await stored(tenant)).toEqual([
      {
        email: 'lena@example.org',
        given_name: 'Lena',
        family_name: 'Krüger',
        phone: null,
        role: 'tenant_admin',
        groups: '',
      },
      {
        email: 'tom@example.org',
        given_name: 'Tom',
        family_name: 'Meier, jun.',
        phone: null,
        role: 'member',
        groups: '',
      },
      {
        email: 'zoe@example.org',
        given_name: 'Zoë',
        family_name: 'Ötztal',
        phone: null,
        role: 'member',
        groups: '',
      },
    ]);
  });

  it('imports a tab-separated UTF-16 file (Excel "Unicode Text")', async () => {
    const tenant = await tenantWith();
    const text = '\ufeffE-Mail\tVorname\tNachname\r\nj@example.org\tJürgen\tMüller\r\n';
    const summary = await run(tenant, chunked(iconv.encode(text, 'utf-16le'), 5));
    expect(summary).toMatchObject({ encoding: 'utf-16le', delimiter: '\t', created: 1, rejected: 0 });
    expect((await stored(tenant)).map((member) => member.family_name)).toEqual(['Müller']);
  });

  describe('a messy file', () => {
    const messy =
      'E-Mail;Vorname;Nachname;Gruppen;Rolle;Bemerkung\n' + // row 1
      'a1@example.org;Anton;Alt;neuigkeiten;;\n' + // 2: created
      ';;;;;\n' + // 3: blank (only delimiters): skipped
      '\n' + // 4: blank line: skipped
      'not-an-email;Bert;Bad;;;\n' + // 5: rejected
      'A1@Example.org ;Anton;Doppelt;;;\n' + // 6: rejected, duplicate of row 2
      'c3@example.org;"=HYPERLINK(""https://evil.example"";""Klick"")";Formel;;;Link\n' + // 7: created
      'd4@example.org;Dora;Dorn;Schach|neuigkeiten;;\n' + // 8: rejected, unknown group
      'e5@example.org;;Ernst;;;\n' + // 9: rejected, no given name
      'f6@example.org;Fritz;Fuchs;;Kassenwart;\n' + // 10: rejected, unknown role
      'existing@example.org;Eva;Neu;;;\n' + // 11: updated (family name)
      'same@example.org;Sam;Same;;;\n' + // 12: unchanged
      'grp@example.org;Gerd;Gruppe;Board;;\n' + // 13: updated (only a new group)
      'g7@example.org;-Minus;+Plus;;;@at\n' + // 14: created
      '\n';
    const existing = [
      { email: 'existing@example.org', givenName: 'Eva', familyName: 'Alt' },
      // An admin stays one: the row's role cell is empty.
      { email: 'same@example.org', givenName: 'Sam', familyName: 'Same', role: 'tenant_admin' as const },
      { email: 'grp@example.org', givenName: 'Gerd', familyName: 'Gruppe' },
    ];
    const expectedRejections = [
      {
        row: 5,
        problems: [{ column: 'E-Mail', reason: 'is not a valid e-mail address', value: 'not-an-email' }],
      },
      { row: 6, problems: [{ column: 'E-Mail', reason: 'duplicate of row 2', value: 'A1@Example.org ' }] },
      {
        row: 8,
        problems: [{ column: 'Gruppen', reason: 'unknown group "Schach"', value: 'Schach|neuigkeiten' }],
      },
      { row: 9, problems: [{ column: 'Vorname', reason: 'is required', value: '' }] },
      {
        row: 10,
        problems: [
          {
            column: 'Rolle',
            reason: 'unknown role "Kassenwart" (use Administrator or Mitglied, or Admin or Member)',
            value: 'Kassenwart',
          },
        ],
      },
    ];
    const source = chunked(Buffer.from(messy, 'utf8'), 11);

    it('imports the good rows, rejects the bad ones with row, column and reason; a re-run changes nothing', async () => {
      const tenant = await tenantWith(existing);
      const progress: number[] = [];
      const summary = await run(tenant, source, { batchSize: 2, onProgress: (p) => progress.push(p.rows) });
      expect(counts(summary)).toEqual({ rows: 11, created: 3, updated: 2, unchanged: 1, rejected: 5 });
      expect(summary.rejections).toEqual(expectedRejections);
      expect(summary).toMatchObject({ ignoredColumns: ['Bemerkung'], complete: true, written: true });
      expect(progress.at(-1)).toBe(11);
      expect(await stored(tenant)).toEqual([
        {
          email: 'a1@example.org',
          given_name: 'Anton',
          family_name: 'Alt',
          phone: null,
          role: 'member',
          groups: 'neuigkeiten',
        },
        {
          email: 'c3@example.org',
          given_name: '=HYPERLINK("https://evil.example";"Klick")',
          family_name: 'Formel',
          phone: null,
          role: 'member',
          groups: '',
        },
        {
          email: 'existing@example.org',
          given_name: 'Eva',
          family_name: 'Neu',
          phone: null,
          role: 'member',
          groups: '',
        },
        {
          email: 'g7@example.org',
          given_name: '-Minus',
          family_name: '+Plus',
          phone: null,
          role: 'member',
          groups: '',
        },
        {
          email: 'grp@example.org',
          given_name: 'Gerd',
          family_name: 'Gruppe',
          phone: null,
          role: 'member',
          groups: 'vorstand',
        },
        {
          email: 'same@example.org',
          given_name: 'Sam',
          family_name: 'Same',
          phone: null,
          role: 'tenant_admin',
          groups: '',
        },
      ]);

      // Stored as given, neutralised on export.
      const exported: Buffer[] = [];
      await exportMembers(
        orm,
        { tenantId: tenant.id },
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            exported.push(Buffer.from(chunk));
            callback();
          },
        }),
      );
      const lines = Buffer.concat(exported).toString('utf8').split('\r\n');
      expect(lines).toContain(
        `c3@example.org;"'=HYPERLINK(""https://evil.example"";""Klick"")";Formel;;Mitglied;`,
      );
      expect(lines).toContain(`g7@example.org;'-Minus;'+Plus;;Mitglied;`);

      const again = await run(tenant, source, { batchSize: 3 });
      expect(counts(again)).toEqual({ rows: 11, created: 0, updated: 0, unchanged: 6, rejected: 5 });
      expect(again.rejections).toEqual(expectedRejections);
    });

    it('--dry-run computes the same summary and writes nothing', async () => {
      const tenant = await tenantWith(existing);
      const before = await stored(tenant);
      const summary = await run(tenant, source, { dryRun: true, batchSize: 4 });
      expect(counts(summary)).toEqual({ rows: 11, created: 3, updated: 2, unchanged: 1, rejected: 5 });
      expect(summary).toMatchObject({ dryRun: true, written: false });
      expect(summary.rejections).toEqual(expectedRejections);
      expect(await stored(tenant)).toEqual(before);
    });

    it('--strict with rejected rows writes nothing', async () => {
      const tenant = await tenantWith(existing);
      const before = await stored(tenant);
      const summary = await run(tenant, source, { strict: true });
      expect(counts(summary)).toEqual({ rows: 11, created: 0, updated: 0, unchanged: 0, rejected: 5 });
      expect(summary).toMatchObject({ strict: true, written: false });
      expect(summary.rejections).toEqual(expectedRejections);
      expect(await stored(tenant)).toEqual(before);
    });
  });

  it('--strict with a clean file imports it (checked first, then written)', async () => {
    const tenant = await tenantWith();
    const phases = new Set<string>();
    const summary = await run(
      tenant,
      chunked(Buffer.from('email;vorname;nachname\na@x.de;A;B\nb@x.de;C;D\n')),
      {
        strict: true,
        onProgress: (progress) => phases.add(progress.phase),
      },
    );
    expect(counts(summary)).toEqual({ rows: 2, created: 2, updated: 0, unchanged: 0, rejected: 0 });
    expect([...phases]).toEqual(['checking', 'importing']);
    expect((await stored(tenant)).map((member) => member.email)).toEqual(['a@x.de', 'b@x.de']);
  });

  it('--strict with a bad row in a later batch writes nothing, not even the earlier batches', async () => {
    const tenant = await tenantWith();
    const lines = ['E-Mail;Vorname;Nachname'];
    for (let index = 0; index < 25; index++) lines.push(`m${index}@example.org;M;${index}`);
    lines.push('broken;X;Y');
    const summary = await run(tenant, chunked(Buffer.from(lines.join('\n')), 64), {
      strict: true,
      batchSize: 10,
    });
    expect(counts(summary)).toEqual({ rows: 26, created: 0, updated: 0, unchanged: 0, rejected: 1 });
    expect(summary.rejections[0]?.row).toBe(27);
    expect(await stored(tenant)).toEqual([]);
  });

  it('adds the default groups to every imported member, and changes existing ones only by adding', async () => {
    const tenant = await tenantWith([{ email: 'old@example.org', givenName: 'Olga', familyName: 'Old' }]);
    const file =
      'E-Mail;Vorname;Nachname;Gruppen\nold@example.org;Olga;Old;\nnew@example.org;Nina;New;vorstand\n';
    const first = await run(tenant, chunked(Buffer.from(file)), {
      defaultGroups: ['neuigkeiten', 'Grillhütte'],
    });
    expect(counts(first)).toEqual({ rows: 2, created: 1, updated: 1, unchanged: 0, rejected: 0 });
    expect((await stored(tenant)).map((member) => [member.email, member.groups])).toEqual([
      ['new@example.org', 'neuigkeiten|grillhuette|vorstand'],
      ['old@example.org', 'neuigkeiten|grillhuette'],
    ]);
    // Without the default groups the memberships stay: imports never remove any.
    const second = await run(tenant, chunked(Buffer.from(file)));
    expect(counts(second)).toEqual({ rows: 2, created: 0, updated: 0, unchanged: 2, rejected: 0 });
    expect((await stored(tenant)).map((member) => member.groups)).toEqual([
      'neuigkeiten|grillhuette|vorstand',
      'neuigkeiten|grillhuette',
    ]);
  });

  it('refuses an unknown default group before writing anything', async () => {
    const tenant = await tenantWith();
    await expect(
      run(tenant, chunked(Buffer.from('E-Mail;Vorname;Nachname\na@x.de;A;B\n')), {
        defaultGroups: ['schach'],
      }),
    ).rejects.toThrow(new UnknownGroupError('schach', ['neuigkeiten', 'grillhuette', 'vorstand']));
    expect(await stored(tenant)).toEqual([]);
  });

  it('updates names, phone and role; an empty cell keeps what is stored', async () => {
    const tenant = await tenantWith();
    await run(tenant, chunked(Buffer.from('E-Mail;Vorname;Nachname;Telefon;Rolle\na@x.de;A;B;0123;Admin\n')));
    const summary = await run(
      tenant,
      chunked(Buffer.from('E-Mail;Vorname;Nachname;Telefon;Rolle\nA@X.DE;Anna;B;;\n')),
    );
    expect(counts(summary)).toEqual({ rows: 1, created: 0, updated: 1, unchanged: 0, rejected: 0 });
    expect(await stored(tenant)).toEqual([
      {
        email: 'a@x.de',
        given_name: 'Anna',
        family_name: 'B',
        phone: '0123',
        role: 'tenant_admin',
        groups: '',
      },
    ]);
    const demoted = await run(
      tenant,
      chunked(Buffer.from('email,first name,last name,role\na@x.de,Anna,B,member\n')),
    );
    expect(counts(demoted)).toEqual({ rows: 1, created: 0, updated: 1, unchanged: 0, rejected: 0 });
    expect((await stored(tenant))[0]?.role).toBe('member');
  });

  it('stores quotes and backslashes as given (they travel inside SQL literals)', async () => {
    const tenant = await tenantWith();
    const file =
      'E-Mail;Vorname;Nachname;Telefon\n' +
      "o.neil@example.org;Seán;O'Neil;''\n" +
      'back@example.org;Back\\slash;"Say ""Hi"" {x}, \\N";NULL\n';
    const first = await run(tenant, chunked(Buffer.from(file)));
    expect(counts(first)).toEqual({ rows: 2, created: 2, updated: 0, unchanged: 0, rejected: 0 });
    expect(await stored(tenant)).toEqual([
      {
        email: 'back@example.org',
        given_name: 'Back\\slash',
        family_name: 'Say "Hi" {x}, \\N',
        phone: 'NULL',
        role: 'member',
        groups: '',
      },
      {
        email: 'o.neil@example.org',
        given_name: 'Seán',
        family_name: "O'Neil",
        phone: "''",
        role: 'member',
        groups: '',
      },
    ]);
    const second = await run(tenant, chunked(Buffer.from(file)));
    expect(counts(second)).toEqual({ rows: 2, created: 0, updated: 0, unchanged: 2, rejected: 0 });
  });

  it('imports several batches in order', async () => {
    const tenant = await tenantWith();
    const lines = ['E-Mail;Vorname;Nachname;Gruppen'];
    for (let index = 0; index < 2500; index++) {
      lines.push(`person${index}@example.org;Vor${index};Nach${index};${index % 2 ? 'neuigkeiten' : ''}`);
    }
    const file = Buffer.from(lines.join('\r\n') + '\r\n');
    const first = await run(tenant, chunked(file, 4096));
    expect(counts(first)).toEqual({ rows: 2500, created: 2500, updated: 0, unchanged: 0, rejected: 0 });
    const stats = await scope.run(tenant.id, (em) =>
      em.execute<{ members: string; memberships: string }[]>(
        'select (select count(*) from members) as members, (select count(*) from group_members) as memberships',
      ),
    );
    expect(stats).toEqual([{ members: '2500', memberships: '1250' }]);
    const second = await run(tenant, chunked(file, 4096));
    expect(counts(second)).toEqual({ rows: 2500, created: 0, updated: 0, unchanged: 2500, rejected: 0 });
  });

  it('stops at malformed CSV: the rows before it count, the problem is reported with its row', async () => {
    const tenant = await tenantWith();
    const file = 'E-Mail;Vorname;Nachname\na@x.de;A;B\n\nb@x.de;"unclosed;C\nc@x.de;D;E\n';
    const summary = await run(tenant, chunked(Buffer.from(file)));
    expect(counts(summary)).toEqual({ rows: 1, created: 1, updated: 0, unchanged: 0, rejected: 1 });
    expect(summary.complete).toBe(false);
    expect(summary.rejections).toEqual([
      {
        row: 4,
        problems: [
          {
            column: '',
            reason:
              'malformed CSV: a double quote opened in this row is never closed; the file was not read past this row',
            value: '',
          },
        ],
      },
    ]);
  });

  it('refuses a file without the required columns, and an empty file', async () => {
    const tenant = await tenantWith();
    await expect(run(tenant, chunked(Buffer.from('Name;Mail\nA;a@x.de\n')))).rejects.toThrow(
      new MemberListFileError(
        'the header row does not fit: missing columns "Vorname", "Nachname" (found: "Name", "Mail")',
      ),
    );
    await expect(run(tenant, chunked(Buffer.from('')))).rejects.toThrow(
      new MemberListFileError('the file is empty'),
    );
    expect(await stored(tenant)).toEqual([]);
  });
});
