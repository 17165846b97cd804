import type { EventArgs, EventSubscriber } from '@mikro-orm/core';
import { tenantContext } from './tenant-context';

/**
 * Stamps new tenant-owned entities with the scope's tenant and refuses any that name
 * another tenant. `tenant_id` never comes from a request body; it comes from here.
 */
export class TenantOwnedSubscriber implements EventSubscriber {
  beforeCreate(args: EventArgs<unknown>): void {
    if (!Object.hasOwn(args.meta.properties, 'tenantId')) return;
    const entity = args.entity as { tenantId?: string };
    const tenantId = tenantContext.requireTenantId(args.meta.className);
    if (entity.tenantId === undefined) {
      entity.tenantId = tenantId;
    } else if (entity.tenantId !== tenantId) {
      throw new Error(`${args.meta.className} belongs to another tenant than the open scope`);
    }
  }
}
