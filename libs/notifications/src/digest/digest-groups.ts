import type { EntityManager } from '@mikro-orm/postgresql';
import type { MailLanguage } from '@allmende/mail';

/** The group modules a digest reads. */
export const DIGEST_MODULES = [
  'news',
  'listings',
  'volunteering',
  'booking',
  'events',
  'discussions',
] as const;
export type DigestModule = (typeof DIGEST_MODULES)[number];

/** A group whose content may appear in a member's digest. */
export interface DigestGroup {
  id: string;
  key: string;
  /** In the recipient's language. */
  name: string;
  modules: ReadonlySet<DigestModule>;
}

/** The digest's groups by id, and the ids of those with each module. */
export class DigestGroups {
  private readonly byId = new Map<string, DigestGroup>();

  constructor(groups: readonly DigestGroup[]) {
    for (const group of groups) this.byId.set(group.id, group);
  }

  get(id: string): DigestGroup {
    const group = this.byId.get(id);
    // Sections only ask with ids they got from idsWith(); anything else is a bug here.
    if (!group) throw new Error(`group ${id} is not among the digest's groups`);
    return group;
  }

  idsWith(module: DigestModule): string[] {
    return [...this.byId.values()].filter((group) => group.modules.has(module)).map((group) => group.id);
  }
}

interface GroupRow {
  id: string;
  key: string;
  name: Record<string, string | undefined>;
  modules: DigestModule[];
}

/**
 * The groups the member may read (the rule of GroupAccess.readableGroupIds: public and
 * members-only groups, groups they belong to, every group for tenant admins) with the modules
 * a digest reads, minus the groups they muted. One query, in the current tenant scope.
 */
export async function loadDigestGroups(
  em: EntityManager,
  memberId: string,
  language: MailLanguage,
  mutedGroupIds: readonly string[],
): Promise<DigestGroups> {
  const rows = await em.execute<GroupRow[]>(
    `select g.id, g.key, g.name, array_agg(gm.module::text order by gm.module) as modules
       from groups g
       join group_modules gm on gm.group_id = g.id and gm.module = any(array[?]::text[])
      where g.visibility in ('public', 'members')
         or exists (select 1 from members me where me.id = ?::uuid and me.role = 'tenant_admin')
         or exists (select 1 from group_members m where m.group_id = g.id and m.member_id = ?::uuid)
      group by g.id`,
    [[...DIGEST_MODULES], memberId, memberId],
  );
  const muted = new Set(mutedGroupIds);
  return new DigestGroups(
    rows
      .filter((row) => !muted.has(row.id))
      .map((row) => ({
        id: row.id,
        key: row.key,
        name: localizedName(row.name, language),
        modules: new Set(row.modules),
      })),
  );
}

/** The recipient's language, else German, else whatever the name has. */
export function localizedName(name: Record<string, string | undefined>, language: MailLanguage): string {
  return name[language] || name.de || Object.values(name).find((value) => !!value) || '';
}
