/** The fields a member list can carry. */
export const MEMBER_FIELDS = ['email', 'givenName', 'familyName', 'phone', 'role', 'groups'] as const;
export type MemberField = (typeof MEMBER_FIELDS)[number];

export const REQUIRED_FIELDS: readonly MemberField[] = ['email', 'givenName', 'familyName'];

/** The German column headers (the export's, and how problems name absent columns). */
export const GERMAN_HEADERS: Record<MemberField, string> = {
  email: 'E-Mail',
  givenName: 'Vorname',
  familyName: 'Nachname',
  phone: 'Telefon',
  role: 'Rolle',
  groups: 'Gruppen',
};

/** Header spellings per field, German and English, compared after `normalizeHeader`. */
const ALIASES: Record<MemberField, string[]> = {
  email: ['E-Mail', 'Email', 'E-Mail-Adresse', 'Email address', 'E-Mail address', 'Mail', 'Mailadresse'],
  givenName: ['Vorname', 'First name', 'Given name', 'Firstname', 'Forename'],
  familyName: ['Nachname', 'Last name', 'Family name', 'Surname', 'Lastname', 'Familienname'],
  phone: [
    'Telefon',
    'Phone',
    'Telefonnummer',
    'Tel',
    'Tel.',
    'Phone number',
    'Telephone',
    'Mobil',
    'Mobile',
    'Handy',
  ],
  role: ['Rolle', 'Role'],
  groups: ['Gruppen', 'Groups', 'Gruppe', 'Group'],
};

/** Case, spacing, hyphens, underscores and dots do not matter: "E-Mail" = "email" = "E_MAIL". */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\-_.]+/gu, '');
}

const FIELD_BY_ALIAS = new Map<string, MemberField>(
  MEMBER_FIELDS.flatMap((field) => ALIASES[field].map((alias) => [normalizeHeader(alias), field] as const)),
);

export interface HeaderMapping {
  /** The field of each column by position; undefined for ignored columns. */
  columns: (MemberField | undefined)[];
  /** The file's own header text of each mapped field (used in problem reports). */
  labels: Partial<Record<MemberField, string>>;
  /** Columns that are not member fields, as written in the file (ignored). */
  ignored: string[];
  /** File-level problems (missing required columns, a field given twice); empty when usable. */
  problems: string[];
}

/** Maps a CSV header row to member fields. */
export function mapHeader(header: readonly string[]): HeaderMapping {
  const columns: (MemberField | undefined)[] = [];
  const labels: Partial<Record<MemberField, string>> = {};
  const ignored: string[] = [];
  const problems: string[] = [];
  header.forEach((raw, index) => {
    const text = raw.trim();
    const field = FIELD_BY_ALIAS.get(normalizeHeader(text));
    if (!field) {
      columns.push(undefined);
      if (text !== '') ignored.push(text);
      return;
    }
    if (labels[field] !== undefined) {
      problems.push(`columns "${labels[field]}" and "${text}" (column ${index + 1}) both give ${field}`);
      columns.push(undefined);
      return;
    }
    labels[field] = text;
    columns.push(field);
  });
  const missing = REQUIRED_FIELDS.filter((field) => labels[field] === undefined);
  if (missing.length > 0) {
    problems.unshift(
      `missing column${missing.length > 1 ? 's' : ''} ${missing.map((field) => `"${GERMAN_HEADERS[field]}"`).join(', ')}` +
        ` (found: ${header.map((text) => `"${text.trim()}"`).join(', ') || 'none'})`,
    );
  }
  return { columns, labels, ignored, problems };
}
