import type { GroupModuleName } from '@allmende/groups';
import { groupName, type PortalGroup } from './portal-groups';
import type { PortalContext } from './portal-view';

/** One tab of a group page: a module the group has. */
export interface GroupTab {
  module: GroupModuleName;
  /** Catalogue key of the module's name. */
  labelKey: string;
  href: string;
  current: boolean;
}

/**
 * The tabs of a group page, one per module the group has, each at
 * `/t/<slug>/g/<group>/<module>` (the news tab at the group's own address too).
 */
export function groupTabs(
  context: PortalContext,
  group: PortalGroup,
  current: GroupModuleName | undefined,
): GroupTab[] {
  const base = `${context.community.href}/g/${encodeURIComponent(group.key)}`;
  return group.modules.map((module) => ({
    module,
    labelKey: `portal.module.${module}`,
    href: `${base}/${module}`,
    current: module === current,
  }));
}

/** The group's name in the page's language, for the heading above the tabs. */
export function groupHeading(context: PortalContext, group: PortalGroup): string {
  return groupName(group.name, context.locale);
}
