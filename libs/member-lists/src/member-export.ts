import type { Writable } from 'node:stream';
import type { MikroORM } from '@mikro-orm/core';
import { TenantScope } from '@allmende/db';
import type { TenantRole } from '@allmende/members';
import { BOM, endStream, excelCsv, writeChunk } from './excel-csv';
import { loadGroupIndex, UnknownGroupError } from './groups';
import { GERMAN_HEADERS, MEMBER_FIELDS } from './headers';

/** A member as lists show it; `groups` are group keys in the tenant's group order. */
export interface MemberListEntry {
  email: string;
  givenName: string;
  familyName: string;
  phone: string | null;
  role: TenantRole;
  groups: string[];
}

export interface MemberQuery {
  tenantId: string;
  /** Only members of this group (key, or German or English name). */
  group?: string;
  /** Rows fetched at a time (default 1,000). */
  pageSize?: number;
}

interface MemberListRow {
  email: string;
  given_name: string;
  family_name: string;
  phone: string | null;
  role: TenantRole;
  groups: string;
}

/**
 * Calls `fn` with the tenant's members page by page, ordered by family name, given name
 * and e-mail. One read-only transaction with a cursor: a consistent snapshot, and a list of
 * any length never sits in memory whole. Returns how many members there were.
 */
export async function forEachMemberPage(
  orm: MikroORM,
  query: MemberQuery,
  fn: (page: MemberListEntry[]) => Promise<void> | void,
): Promise<number> {
  return new TenantScope(orm).run(query.tenantId, async (em) => {
    let groupId: string | undefined;
    if (query.group !== undefined) {
      const index = await loadGroupIndex(em);
      const match = index.match(query.group);
      if ('problem' in match) {
        throw new UnknownGroupError(
          query.group,
          index.groups.map((group) => group.key),
        );
      }
      groupId = match.group.id;
    }
    return em.transactional(async (tx) => {
      await tx.execute(
        `declare member_list no scroll cursor for
         select m.email, m.given_name, m.family_name, m.phone, m.role,
                coalesce((select string_agg(g.key, '|' order by g.position, g.key)
                            from group_members gm
                            join groups g on g.tenant_id = gm.tenant_id and g.id = gm.group_id
                           where gm.member_id = m.id), '') as groups
           from members m
          ${groupId ? 'where exists (select 1 from group_members f where f.member_id = m.id and f.group_id = ?::uuid)' : ''}
          order by m.family_name, m.given_name, m.email`,
        groupId ? [groupId] : [],
      );
      const pageSize = Math.max(1, Math.floor(query.pageSize ?? 1000));
      let total = 0;
      for (;;) {
        const rows = await tx.execute<MemberListRow[]>(`fetch forward ${pageSize} from member_list`);
        if (rows.length === 0) break;
        total += rows.length;
        await fn(
          rows.map((row) => ({
            email: row.email,
            givenName: row.given_name,
            familyName: row.family_name,
            phone: row.phone,
            role: row.role,
            groups: row.groups === '' ? [] : row.groups.split('|'),
          })),
        );
        if (rows.length < pageSize) break;
      }
      await tx.execute('close member_list');
      return total;
    });
  });
}

/** The role as the export writes it (German; the import reads it back). */
const ROLE_LABELS: Record<TenantRole, string> = { tenant_admin: 'Administrator', member: 'Mitglied' };

/**
 * Writes the tenant's members as CSV for German Excel: UTF-8 with BOM, `;`, CRLF, German
 * headers (E-Mail;Vorname;Nachname;Telefon;Rolle;Gruppen), cells that begin like a formula
 * neutralised with a leading `'`. Ends `out` when done. Returns how many members it wrote.
 */
export async function exportMembers(orm: MikroORM, query: MemberQuery, out: Writable): Promise<number> {
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  const work = (async () => {
    let headerWritten = false;
    const header = BOM + excelCsv([MEMBER_FIELDS.map((field) => GERMAN_HEADERS[field])]);
    const total = await forEachMemberPage(orm, query, async (page) => {
      const body = excelCsv(
        page.map((member) => [
          member.email,
          member.givenName,
          member.familyName,
          member.phone ?? '',
          ROLE_LABELS[member.role],
          member.groups.join('|'),
        ]),
      );
      await writeChunk(out, headerWritten ? body : header + body);
      headerWritten = true;
    });
    if (!headerWritten) await writeChunk(out, header);
    await endStream(out);
    return total;
  })();
  return Promise.race([work, failed]);
}
