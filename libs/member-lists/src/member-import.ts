import { stat } from 'node:fs/promises';
import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { tenantContext, TenantScope } from '@allmende/db';
import type { TenantRole } from '@allmende/members';
import { openCsv, MemberListFileError, type CsvFile, type CsvInput } from './csv-source';
import { restoreNeutralizedFormula } from './formula';
import { arrayLiteral, sqlLiteral } from './sql-literal';
import { uuidV7 } from './uuid-v7';
import { loadGroupIndex, resolveGroups } from './groups';
import { GERMAN_HEADERS, mapHeader, type HeaderMapping, type MemberField } from './headers';
import { memberRowSchema, type GroupIndex, type MemberRow, type MemberRowInput } from './row-schema';

export interface ImportMembersOptions {
  tenantId: string;
  /** A file path, or a function that yields the file's bytes. */
  source: CsvInput;
  /** Overrides encoding detection (e.g. `windows-1252`, `utf-8`). */
  encoding?: string;
  /** Compute the summary, write nothing. */
  dryRun?: boolean;
  /** Any rejected row: write nothing. The file is checked completely before anything is written. */
  strict?: boolean;
  /** Keys (or names) of groups every imported member joins, besides the file's groups. */
  defaultGroups?: readonly string[];
  /** Rows per transaction (default 1,000). */
  batchSize?: number;
  /** Batches written at once, each its own transaction and connection (default 2). */
  concurrency?: number;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  /** `checking`: the first pass of `strict`, which writes nothing; `importing`: the pass that counts. */
  phase: 'checking' | 'importing';
  /** Data rows read so far (blank lines not counted). */
  rows: number;
  bytesRead: number;
  /** The file's size when the source is a path. */
  totalBytes?: number;
}

export interface RowProblem {
  /** The column as the file names it (or the German name when the file lacks it). */
  column: string;
  reason: string;
  /** The cell as it was in the file. */
  value: string;
}

export interface RejectedRow {
  /** The row as a spreadsheet shows it: the header is row 1, blank lines count. */
  row: number;
  problems: RowProblem[];
}

export interface ImportSummary {
  encoding: string;
  delimiter: string;
  /** Columns of the file that are not member fields (ignored). */
  ignoredColumns: string[];
  /** Data rows read (blank lines not counted). */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejections: RejectedRow[];
  dryRun: boolean;
  strict: boolean;
  /** Whether anything may have been written (false for a dry run and for a strict run with rejected rows). */
  written: boolean;
  /** False when reading stopped early at malformed CSV (the problem is among the rejections). */
  complete: boolean;
}

type RowOutcome = { row: number; member: MemberRow } | { row: number; rejection: RejectedRow };

interface BatchCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/** A member row as the import reads it from, and writes it to, the database. */
interface MemberValues {
  id: string;
  email: string;
  given_name: string;
  family_name: string;
  phone: string | null;
  role: TenantRole;
}

/**
 * Imports a member list (CSV) into a tenant: upsert by e-mail, group memberships added
 * (never removed), rows validated one by one, committed in batches of `batchSize` rows,
 * each batch one transaction inside the tenant's scope. A second run of the same file
 * changes nothing.
 */
export class MemberImporter {
  private readonly scope: TenantScope;

  constructor(orm: MikroORM) {
    this.scope = new TenantScope(orm);
  }

  async run(options: ImportMembersOptions): Promise<ImportSummary> {
    const strict = options.strict ?? false;
    const totalBytes = typeof options.source === 'string' ? (await stat(options.source)).size : undefined;
    return this.scope.run(options.tenantId, async (em) => {
      const groups = await loadGroupIndex(em);
      const defaultGroupIds = resolveGroups(groups, options.defaultGroups ?? []);
      if (strict) {
        const check = await this.pass(em, groups, defaultGroupIds, options, 'checking', totalBytes);
        if (check.rejected > 0) return { ...check, created: 0, updated: 0, unchanged: 0, written: false };
      }
      return this.pass(em, groups, defaultGroupIds, options, 'importing', totalBytes);
    });
  }

  /** One pass over the file. `checking` only validates; `importing` reads and (unless dry) writes. */
  private async pass(
    em: EntityManager,
    groups: GroupIndex,
    defaultGroupIds: string[],
    options: ImportMembersOptions,
    phase: ImportProgress['phase'],
    totalBytes: number | undefined,
  ): Promise<ImportSummary> {
    const dryRun = options.dryRun ?? false;
    const batchSize = options.batchSize ?? 1000;
    const file = await openCsv(options.source, { encoding: options.encoding });
    const counts: BatchCounts = { created: 0, updated: 0, unchanged: 0 };
    const rejections: RejectedRow[] = [];
    let rows = 0;
    let ignoredColumns: string[] = [];
    let batch: MemberRow[] = [];
    const progress = () => options.onProgress?.({ phase, rows, bytesRead: file.bytesRead, totalBytes });
    // Batches are written while the next ones are read and validated, up to `concurrency`
    // at once (each its own transaction on its own connection). They cannot interfere: an
    // e-mail is in one batch only (repeats are rejected).
    const concurrency = Math.max(1, options.concurrency ?? 2);
    const inFlight: Promise<void>[] = [];
    const settle = async (keep: number) => {
      while (inFlight.length > keep) await inFlight.shift();
    };
    const flush = async () => {
      if (batch.length === 0) return;
      const full = batch;
      batch = [];
      if (phase === 'checking') return progress();
      await settle(concurrency - 1);
      const written = this.importBatch(em, full, defaultGroupIds, dryRun).then((batchCounts) => {
        add(counts, batchCounts);
        progress();
      });
      written.catch(() => undefined); // awaited by settle()
      inFlight.push(written);
    };
    try {
      for await (const outcomes of memberRows(
        file,
        groups,
        (mapping) => (ignoredColumns = mapping.ignored),
      )) {
        for (const outcome of outcomes) {
          rows++;
          if ('rejection' in outcome) rejections.push(outcome.rejection);
          else batch.push(outcome.member);
          if (batch.length >= batchSize) await flush();
        }
      }
      await flush();
      await settle(0);
    } finally {
      await Promise.allSettled(inFlight);
    }
    if (file.syntaxProblem) {
      rejections.push({
        row: file.syntaxProblem.row,
        problems: [{ column: '', reason: file.syntaxProblem.reason, value: '' }],
      });
    }
    progress();
    return {
      encoding: file.encoding,
      delimiter: file.delimiter,
      ignoredColumns,
      rows,
      ...counts,
      rejected: rejections.length,
      rejections,
      dryRun,
      strict: options.strict ?? false,
      written: !dryRun && phase === 'importing',
      complete: !file.syntaxProblem,
    };
  }

  /**
   * One batch, one transaction: reads the members the batch names, works out what is new,
   * changed or unchanged, and (unless dry) writes with one upsert and one insert of group
   * memberships. The write statements report what they really did (under concurrent
   * changes, the database has the last word).
   */
  private importBatch(
    em: EntityManager,
    rows: readonly MemberRow[],
    defaultGroupIds: readonly string[],
    dryRun: boolean,
  ): Promise<BatchCounts> {
    const tenantId = tenantContext.requireTenantId('members');
    return em.transactional(async (tx) => {
      // The foreign-key checks of group_members → members run plans that PostgreSQL caches
      // per connection. Planned while a tenant's (or a new database's) members table was
      // small and without statistics, such a plan scans the tenant's members through
      // members_tenant_id_user_id_index for every check, and a large import turns
      // quadratic (100,000 rows: minutes instead of seconds). Dropping the cached plans at
      // each batch has them planned again for the table as it is now.
      await tx.execute('discard plans');
      // A batch travels as array literals (see sql-literal.ts). `= any(array)`
      // probes the (tenant_id, email) index also when the table has no statistics yet.
      const existing = await tx.execute<MemberValues[]>(
        `select id, email, given_name, family_name, phone, role from members
          where email = any(${arrayLiteral(
            rows.map((row) => row.email),
            'text[]',
          )})`,
      );
      const current = new Map(existing.map((member) => [member.email, member]));

      const upserts: MemberValues[] = [];
      for (const row of rows) {
        const before = current.get(row.email);
        const values: MemberValues = {
          id: before?.id ?? uuidV7(),
          email: row.email,
          given_name: row.givenName,
          family_name: row.familyName,
          // An empty cell gives nothing: the stored phone and role stay.
          phone: row.phone ?? before?.phone ?? null,
          role: row.role ?? before?.role ?? 'member',
        };
        if (
          !before ||
          before.given_name !== values.given_name ||
          before.family_name !== values.family_name ||
          before.phone !== values.phone ||
          before.role !== values.role
        ) {
          upserts.push(values);
        }
      }

      const created = new Set<string>();
      const updated = new Set<string>();
      const memberIds = new Map(existing.map((member) => [member.email, member.id]));
      if (dryRun) {
        for (const values of upserts) (current.has(values.email) ? updated : created).add(values.email);
      } else if (upserts.length > 0) {
        const written = await tx.execute<{ id: string; inserted: boolean }[]>(
          `insert into members (id, tenant_id, email, given_name, family_name, phone, role)
           select t.id, ${sqlLiteral(tenantId)}::uuid, t.email, t.given_name, t.family_name, t.phone, t.role
             from unnest(${arrayLiteral(column(upserts, 'id'), 'uuid[]')},
                         ${arrayLiteral(column(upserts, 'email'), 'text[]')},
                         ${arrayLiteral(column(upserts, 'given_name'), 'text[]')},
                         ${arrayLiteral(column(upserts, 'family_name'), 'text[]')},
                         ${arrayLiteral(column(upserts, 'phone'), 'text[]')},
                         ${arrayLiteral(column(upserts, 'role'), 'text[]')})
               as t(id, email, given_name, family_name, phone, role)
           on conflict (tenant_id, email) do update
             set given_name = excluded.given_name, family_name = excluded.family_name,
                 phone = excluded.phone, role = excluded.role, updated_at = now()
             where (members.given_name, members.family_name, members.phone, members.role)
               is distinct from (excluded.given_name, excluded.family_name, excluded.phone, excluded.role)
           returning id, (xmax = 0) as inserted`,
        );
        const emailOf = new Map(upserts.map((values) => [values.id, values.email]));
        for (const member of written) {
          // Another id: the row was inserted by someone else since we read; found below.
          const email = emailOf.get(member.id);
          if (email === undefined) continue;
          (member.inserted ? created : updated).add(email);
          memberIds.set(email, member.id);
        }
        const unknown = upserts.filter((values) => !memberIds.has(values.email));
        if (unknown.length > 0) {
          // Inserted by someone else since we read (and identical): look their ids up.
          const found = await tx.execute<{ id: string; email: string }[]>(
            `select id, email from members where email = any(${arrayLiteral(
              unknown.map((values) => values.email),
              'text[]',
            )})`,
          );
          for (const member of found) memberIds.set(member.email, member.id);
        }
      }

      // Group memberships: the file's and the default groups; added, never removed.
      const wanted: { email: string; groupId: string }[] = [];
      for (const row of rows) {
        for (const groupId of row.groupIds) wanted.push({ email: row.email, groupId });
        for (const groupId of defaultGroupIds) {
          if (!row.groupIds.includes(groupId)) wanted.push({ email: row.email, groupId });
        }
      }
      if (wanted.length > 0) {
        const known = [...new Set(wanted.map((pair) => current.get(pair.email)?.id).filter((id) => !!id))];
        const memberships = new Set<string>();
        if (known.length > 0) {
          const rowsFound = await tx.execute<{ member_id: string; group_id: string }[]>(
            `select member_id, group_id from group_members where member_id = any(${arrayLiteral(known as string[], 'uuid[]')})`,
          );
          for (const row of rowsFound) memberships.add(`${row.member_id}/${row.group_id}`);
        }
        const missing = wanted.filter((pair) => {
          const memberId = current.get(pair.email)?.id;
          return !memberId || !memberships.has(`${memberId}/${pair.groupId}`);
        });
        if (dryRun) {
          for (const pair of missing) if (!created.has(pair.email)) updated.add(pair.email);
        } else if (missing.length > 0) {
          const emailById = new Map<string, string>();
          // Few groups, many memberships: each row names its group by position in `groupIds`.
          const groupIds: string[] = [];
          const ids: string[] = [];
          const memberIdColumn: string[] = [];
          const groupPositions: number[] = [];
          for (const pair of missing) {
            const memberId = memberIds.get(pair.email);
            if (!memberId) continue;
            emailById.set(memberId, pair.email);
            let position = groupIds.indexOf(pair.groupId);
            if (position < 0) position = groupIds.push(pair.groupId) - 1;
            ids.push(uuidV7());
            memberIdColumn.push(memberId);
            groupPositions.push(position + 1);
          }
          const added = await tx.execute<{ member_id: string }[]>(
            `insert into group_members (id, tenant_id, group_id, member_id)
             select t.id, ${sqlLiteral(tenantId)}::uuid, (${arrayLiteral(groupIds, 'uuid[]')})[t.position], t.member_id
               from unnest(${arrayLiteral(ids, 'uuid[]')}, ${arrayLiteral(memberIdColumn, 'uuid[]')},
                           ${sqlLiteral(`{${groupPositions.join(',')}}`)}::int[])
                 as t(id, member_id, position)
             on conflict (tenant_id, group_id, member_id) do nothing
             returning member_id`,
          );
          for (const { member_id } of added) {
            const email = emailById.get(member_id)!;
            if (!created.has(email)) updated.add(email);
          }
        }
      }
      return {
        created: created.size,
        updated: updated.size,
        unchanged: rows.length - created.size - updated.size,
      };
    });
  }
}

/** One property of every row, for an array literal. */
function column<K extends keyof MemberValues>(rows: readonly MemberValues[], key: K): MemberValues[K][] {
  return rows.map((row) => row[key]);
}

function add(total: BatchCounts, batch: BatchCounts): void {
  total.created += batch.created;
  total.updated += batch.updated;
  total.unchanged += batch.unchanged;
}

/**
 * The data rows of a member list, validated, a slice at a time: every non-blank row after
 * the header is either a member or a rejection. A repeated e-mail is rejected as a
 * duplicate of its first row.
 */
export async function* memberRows(
  file: CsvFile,
  groups: GroupIndex,
  onHeader?: (mapping: HeaderMapping) => void,
): AsyncGenerator<RowOutcome[]> {
  const schema = memberRowSchema(groups);
  const firstRows = new Map<string, number>();
  let mapping: HeaderMapping | undefined;
  let indexes: [MemberField, number][] = [];
  let labels = { ...GERMAN_HEADERS };
  let emailIndex = -1;
  const cell = (fields: string[], field: MemberField): string => {
    const index = mapping!.columns.indexOf(field);
    return index < 0 ? '' : (fields[index] ?? '');
  };
  for await (const records of file.records) {
    const outcomes: RowOutcome[] = [];
    for (const { row, fields } of records) {
      if (isBlank(fields)) continue;
      if (!mapping) {
        mapping = mapHeader(fields);
        if (mapping.problems.length > 0) {
          throw new MemberListFileError(`the header row does not fit: ${mapping.problems.join('; ')}`);
        }
        indexes = mapping.columns.flatMap((field, index) =>
          field ? [[field, index] as [MemberField, number]] : [],
        );
        labels = { ...GERMAN_HEADERS, ...mapping.labels };
        emailIndex = mapping.columns.indexOf('email');
        onHeader?.(mapping);
        continue;
      }
      const input: MemberRowInput = {
        email: '',
        givenName: '',
        familyName: '',
        phone: '',
        role: '',
        groups: '',
      };
      for (const [field, index] of indexes) input[field] = restoreNeutralizedFormula(fields[index] ?? '');

      const result = schema.safeParse(input);
      if (result.success) {
        const first = firstRows.get(result.data.email);
        if (first === undefined) {
          firstRows.set(result.data.email, row);
          outcomes.push({ row, member: result.data });
        } else {
          const problems = [
            { column: labels.email, reason: `duplicate of row ${first}`, value: fields[emailIndex] ?? '' },
          ];
          outcomes.push({ row, rejection: { row, problems } });
        }
        continue;
      }
      const problems: RowProblem[] = result.error.issues.map((issue) => {
        const field = issue.path[0] as MemberField;
        return { column: labels[field], reason: issue.message, value: cell(fields, field) };
      });
      if (!result.error.issues.some((issue) => issue.path[0] === 'email')) {
        // A valid e-mail in an otherwise bad row still takes its place: later rows with it are duplicates.
        const email = input.email.trim().toLowerCase();
        const first = firstRows.get(email);
        if (first === undefined) firstRows.set(email, row);
        else
          problems.unshift({
            column: labels.email,
            reason: `duplicate of row ${first}`,
            value: cell(fields, 'email'),
          });
      }
      outcomes.push({ row, rejection: { row, problems } });
    }
    if (outcomes.length > 0) yield outcomes;
  }
  if (!mapping && !file.syntaxProblem) throw new MemberListFileError('the file has no header row');
}

/** A row with nothing but whitespace in its cells (e.g. `;;;;` from Excel) counts as a blank line. */
function isBlank(fields: readonly string[]): boolean {
  for (const field of fields) if (field !== '' && field.trim() !== '') return false;
  return true;
}

/** Imports a member list; see MemberImporter. */
export function importMembers(orm: MikroORM, options: ImportMembersOptions): Promise<ImportSummary> {
  return new MemberImporter(orm).run(options);
}
