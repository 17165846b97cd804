import type { EntityManager } from '@mikro-orm/postgresql';
import { GroupSchema } from '@allmende/groups';
import { GroupIndex } from './row-schema';

/** A group name that is not one of the tenant's groups (a default group, an export filter). */
export class UnknownGroupError extends Error {
  constructor(
    readonly group: string,
    readonly known: readonly string[],
  ) {
    super(`unknown group "${group}" (groups of this tenant: ${known.length ? known.join(', ') : 'none'})`);
    this.name = 'UnknownGroupError';
  }
}

/** The tenant's groups, for matching by key or name. Call inside the tenant's scope. */
export async function loadGroupIndex(em: EntityManager): Promise<GroupIndex> {
  const groups = await em.find(GroupSchema, {}, { orderBy: { position: 'asc', key: 'asc' } });
  return new GroupIndex(groups.map((group) => ({ id: group.id, key: group.key, name: group.name })));
}

/** Resolves group keys or names; throws UnknownGroupError for the first that does not match. */
export function resolveGroups(index: GroupIndex, names: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const name of names) {
    const match = index.match(name);
    if ('problem' in match) {
      throw new UnknownGroupError(
        name,
        index.groups.map((group) => group.key),
      );
    }
    ids.add(match.group.id);
  }
  return [...ids];
}
