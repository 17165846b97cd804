import { GroupIndex, memberRowSchema, type MemberRowInput } from './row-schema';

const groups = new GroupIndex([
  { id: 'g-news', key: 'neuigkeiten', name: { de: 'Neuigkeiten', en: 'News' } },
  { id: 'g-grill', key: 'grillhuette', name: { de: 'Grillhütte', en: 'Barbecue hut' } },
  { id: 'g-board', key: 'vorstand', name: { de: 'Vorstand' } },
  // Two groups with one English name: that name alone is ambiguous.
  { id: 'g-help1', key: 'mach-mit', name: { de: 'Mach mit!', en: 'Help' } },
  { id: 'g-help2', key: 'hilfe', name: { de: 'Nachbarschaftshilfe', en: 'Help' } },
]);
const schema = memberRowSchema(groups);

function row(fields: Partial<MemberRowInput>): MemberRowInput {
  return { email: '', givenName: '', familyName: '', phone: '', role: '', groups: '', ...fields };
}

const good = { email: 'anna@example.org', givenName: 'Anna', familyName: 'Schmidt' };

function problems(fields: Partial<MemberRowInput>): [string, string][] {
  const result = schema.safeParse(row(fields));
  if (result.success) return [];
  return result.error.issues.map((issue) => [String(issue.path[0]), issue.message]);
}

describe('memberRowSchema', () => {
  it('trims and lower-cases the e-mail and trims names; empty phone and role are "not given"', () => {
    expect(
      schema.parse(
        row({ email: '  Anna.Schmidt@Example.ORG ', givenName: ' Anna ', familyName: 'Schmidt  ' }),
      ),
    ).toEqual({
      email: 'anna.schmidt@example.org',
      givenName: 'Anna',
      familyName: 'Schmidt',
      phone: undefined,
      role: undefined,
      groupIds: [],
    });
  });

  it('accepts umlauts in names and domains', () => {
    const parsed = schema.parse(
      row({ email: 'j.mueller@müllenbach.de', givenName: 'Jürgen', familyName: 'Weiß' }),
    );
    expect(parsed).toMatchObject({
      email: 'j.mueller@müllenbach.de',
      givenName: 'Jürgen',
      familyName: 'Weiß',
    });
  });

  it.each(['', '   '])('requires the e-mail (%j)', (email) => {
    expect(problems({ ...good, email })).toEqual([['email', 'is required']]);
  });

  it.each([
    'anna',
    'anna@',
    '@example.org',
    'anna@example',
    'anna @example.org',
    'anna@@example.org',
    'a,b@x.de',
  ])('rejects the e-mail %j', (email) => {
    expect(problems({ ...good, email })).toEqual([['email', 'is not a valid e-mail address']]);
  });

  it('requires both names, at most 100 characters, on one line', () => {
    expect(problems({ email: 'a@b.de', givenName: ' ', familyName: '' })).toEqual([
      ['givenName', 'is required'],
      ['familyName', 'is required'],
    ]);
    expect(problems({ ...good, givenName: 'x'.repeat(101) })).toEqual([
      ['givenName', 'is longer than 100 characters'],
    ]);
    expect(problems({ ...good, familyName: 'Schmidt\nMeier' })).toEqual([
      ['familyName', 'must not contain line breaks or control characters'],
    ]);
    expect(schema.parse(row({ ...good, givenName: 'x'.repeat(100) })).givenName).toHaveLength(100);
  });

  it('keeps a formula as it was given (it is neutralised on export)', () => {
    expect(
      schema.parse(row({ ...good, familyName: '=HYPERLINK("https://x.example";"Klick")' })).familyName,
    ).toBe('=HYPERLINK("https://x.example";"Klick")');
  });

  it('takes an optional phone of at most 50 characters', () => {
    expect(schema.parse(row({ ...good, phone: ' +49 2623 123-45 ' })).phone).toBe('+49 2623 123-45');
    expect(problems({ ...good, phone: '1'.repeat(51) })).toEqual([['phone', 'is longer than 50 characters']]);
  });

  it.each([
    ['tenant_admin', 'tenant_admin'],
    ['Admin', 'tenant_admin'],
    ['ADMINISTRATOR', 'tenant_admin'],
    ['Administratorin', 'tenant_admin'],
    ['member', 'member'],
    ['Mitglied', 'member'],
    [' MEMBER ', 'member'],
    ['', undefined],
  ])('reads the role %j as %j', (role, expected) => {
    expect(schema.parse(row({ ...good, role })).role).toBe(expected);
  });

  it('rejects an unknown role', () => {
    expect(problems({ ...good, role: 'Kassenwart' })).toEqual([
      ['role', 'unknown role "Kassenwart" (use Administrator or Mitglied, or Admin or Member)'],
    ]);
  });

  it('matches groups by key or German or English name, case-insensitively, separated by |', () => {
    expect(
      schema.parse(row({ ...good, groups: 'neuigkeiten | GRILLHÜTTE|barbecue hut||vorstand' })).groupIds,
    ).toEqual(['g-news', 'g-grill', 'g-board']);
    expect(schema.parse(row({ ...good, groups: 'News' })).groupIds).toEqual(['g-news']);
  });

  it('reports each unknown or ambiguous group', () => {
    expect(problems({ ...good, groups: 'neuigkeiten|Schach|Help|Theater' })).toEqual([
      ['groups', 'unknown group "Schach"'],
      ['groups', 'group name "Help" is ambiguous (mach-mit, hilfe): use the key'],
      ['groups', 'unknown group "Theater"'],
    ]);
  });

  it('reports every problem of a row', () => {
    expect(problems({ email: 'nope', givenName: '', familyName: 'X', role: 'boss', groups: 'x' })).toEqual([
      ['email', 'is not a valid e-mail address'],
      ['givenName', 'is required'],
      ['role', 'unknown role "boss" (use Administrator or Mitglied, or Admin or Member)'],
      ['groups', 'unknown group "x"'],
    ]);
  });
});
