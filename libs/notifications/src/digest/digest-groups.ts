import type { MailLanguage } from '@allmende/mail';
import type { DigestSnapshot } from './digest-snapshot';

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

  /** Whether the group is among the digest's groups and has the module. */
  has(id: string, module: DigestModule): boolean {
    return this.byId.get(id)?.modules.has(module) ?? false;
  }

  idsWith(module: DigestModule): string[] {
    return [...this.byId.values()].filter((group) => group.modules.has(module)).map((group) => group.id);
  }
}

/** Readable by every member of the tenant (the rule of GroupAccess.readableGroupIds). */
export const isOpen = (group: { visibility: string }) =>
  group.visibility === 'public' || group.visibility === 'members';

/**
 * The groups the member may read (the rule of GroupAccess.readableGroupIds: public and
 * members-only groups, groups they belong to, every group for tenant admins) with the modules
 * a digest reads, minus the groups they muted. In memory, from the tenant's snapshot.
 */
export function readableDigestGroups(
  snapshot: Pick<DigestSnapshot, 'groups' | 'memberships' | 'adminIds'>,
  memberId: string,
  language: MailLanguage,
  mutedGroupIds: readonly string[],
): DigestGroups {
  const admin = snapshot.adminIds.has(memberId);
  const own = snapshot.memberships.get(memberId);
  const muted = new Set(mutedGroupIds);
  return new DigestGroups(
    snapshot.groups
      .filter((group) => (admin || isOpen(group) || own?.has(group.id)) && !muted.has(group.id))
      .map((group) => ({
        id: group.id,
        key: group.key,
        name: localizedName(group.name, language),
        modules: group.modules,
      })),
  );
}

/** The recipient's language, else German, else whatever the name has. */
export function localizedName(name: Record<string, string | undefined>, language: MailLanguage): string {
  return name[language] || name.de || Object.values(name).find((value) => !!value) || '';
}
