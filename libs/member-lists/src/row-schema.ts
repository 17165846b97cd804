import { z } from 'zod';
import type { TenantRole } from '@allmende/members';
import type { MemberField } from './headers';

/** A group as the import matches it: by key, or by its German or English name. */
export interface GroupRef {
  id: string;
  key: string;
  name: { de: string; en?: string };
}

export type GroupMatch = { group: GroupRef } | { problem: string };

/** Looks groups up by key or name, case-insensitively; a key wins over a name. */
export class GroupIndex {
  private readonly byKey = new Map<string, GroupRef>();
  private readonly byName = new Map<string, GroupRef[]>();

  constructor(readonly groups: readonly GroupRef[]) {
    for (const group of groups) {
      this.byKey.set(fold(group.key), group);
      const names = new Set([group.name.de, group.name.en].filter((name) => !!name).map((n) => fold(n!)));
      for (const name of names) this.byName.set(name, [...(this.byName.get(name) ?? []), group]);
    }
  }

  match(text: string): GroupMatch {
    const folded = fold(text);
    const byKey = this.byKey.get(folded);
    if (byKey) return { group: byKey };
    const byName = this.byName.get(folded) ?? [];
    if (byName.length === 1) return { group: byName[0]! };
    if (byName.length > 1) {
      return {
        problem: `group name "${text}" is ambiguous (${byName.map((group) => group.key).join(', ')}): use the key`,
      };
    }
    return { problem: `unknown group "${text}"` };
  }
}

function fold(text: string): string {
  return text.normalize('NFC').trim().toLowerCase();
}

/** Role words accepted in the role column (case-insensitive); an empty cell means "not given". */
const ROLE_WORDS = new Map<string, TenantRole>([
  ['tenant_admin', 'tenant_admin'],
  ['tenant admin', 'tenant_admin'],
  ['admin', 'tenant_admin'],
  ['administrator', 'tenant_admin'],
  ['administratorin', 'tenant_admin'],
  ['verwalter', 'tenant_admin'],
  ['verwalterin', 'tenant_admin'],
  ['member', 'member'],
  ['mitglied', 'member'],
]);

/**
 * E-mail addresses: zod's practical pattern for the local part; the domain may hold
 * letters beyond ASCII (internationalised domains like müllenbach.de).
 */
const EMAIL_PATTERN =
  /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[\p{L}\p{N}][\p{L}\p{N}-]*\.)+\p{L}{2,}$/u;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** A rule of a field: the problem with a (trimmed) value, or undefined when there is none. */
type Rule = (value: string) => string | undefined;

const required: Rule = (value) => (value === '' ? 'is required' : undefined);
const maxLength =
  (max: number): Rule =>
  (value) =>
    value.length > max ? `is longer than ${max} characters` : undefined;
const oneLine: Rule = (value) =>
  CONTROL_CHARACTERS.test(value) ? 'must not contain line breaks or control characters' : undefined;
const emailAddress: Rule = (value) =>
  EMAIL_PATTERN.test(value) ? undefined : 'is not a valid e-mail address';
const knownRole: Rule = (value) =>
  value === '' || roleOf(value) !== undefined
    ? undefined
    : `unknown role "${value}" (use Administrator or Mitglied, or Admin or Member)`;

/**
 * A text cell: trimmed (and lower-cased when asked), then checked by `rules` in order; the
 * first problem is reported. One check per field instead of a chain of them: zod 4 pays
 * for every check of every row, which shows at 100,000 rows.
 */
function cell(rules: Rule[], options: { lowerCase?: boolean } = {}) {
  return z
    .string()
    .overwrite(options.lowerCase ? (value) => value.trim().toLowerCase() : (value) => value.trim())
    .check((payload) => {
      for (const rule of rules) {
        const message = rule(payload.value);
        if (message === undefined) continue;
        payload.issues.push({ code: 'custom', message, input: payload.value });
        return;
      }
    });
}

function roleOf(text: string): TenantRole | undefined {
  return ROLE_WORDS.get(text.toLowerCase().replace(/\s+/g, ' '));
}

const NO_GROUPS: readonly string[] = Object.freeze([]);

/** The ids of the groups a cell names (those that match), without repeats. */
function groupIdsOf(groups: GroupIndex, cell: string): string[] {
  if (cell === '') return NO_GROUPS as string[];
  const ids: string[] = [];
  for (const text of groupNames(cell)) {
    const match = groups.match(text);
    if ('group' in match && !ids.includes(match.group.id)) ids.push(match.group.id);
  }
  return ids;
}

/** The group names of a cell (`|` between them), without empty ones. */
function groupNames(cell: string): string[] {
  return cell.trim() === '' ? (NO_GROUPS as string[]) : cell.split('|').filter((name) => name.trim() !== '');
}

/** One member row of a CSV file, after header mapping: every field as the text of its cell. */
export type MemberRowInput = Record<MemberField, string>;

/** A valid row. `phone` and `role` are undefined when the cell is empty (nothing to change). */
export interface MemberRow {
  email: string;
  givenName: string;
  familyName: string;
  phone: string | undefined;
  role: TenantRole | undefined;
  /** The ids of the groups named in the row, without repeats. */
  groupIds: string[];
}

/**
 * The one schema a CSV row is validated with; groups are matched against the tenant's.
 * Fields are validated with checks only and converted in one transform at the end
 * (a transform per field costs zod 4 several times as much).
 */
export function memberRowSchema(groups: GroupIndex): z.ZodType<MemberRow, MemberRowInput> {
  return z
    .object({
      email: cell([required, maxLength(320), emailAddress], { lowerCase: true }),
      givenName: cell([required, maxLength(100), oneLine]),
      familyName: cell([required, maxLength(100), oneLine]),
      phone: cell([maxLength(50), oneLine]),
      role: cell([knownRole]),
      groups: z.string().check((context) => {
        for (const text of groupNames(context.value)) {
          const match = groups.match(text);
          if ('problem' in match)
            context.issues.push({ code: 'custom', message: match.problem, input: context.value });
        }
      }),
    })
    .transform((row): MemberRow => ({
      email: row.email,
      givenName: row.givenName,
      familyName: row.familyName,
      phone: row.phone === '' ? undefined : row.phone,
      role: row.role === '' ? undefined : roleOf(row.role),
      groupIds: groupIdsOf(groups, row.groups),
    }));
}
