import type { Group } from '@allmende/groups';
import type { Member } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';

/**
 * What seedTenant made before the module seeds run: members[0] is group admin of groups[0]
 * (public `neuigkeiten`, with the news module), groups[1] is private.
 */
export interface ModuleSeedContext {
  tenant: Tenant;
  members: Member[];
  groups: Group[];
  label: string;
}
