import { Injectable } from '@nestjs/common';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { tenantContext, TENANT_SETTING } from './tenant-context';

/**
 * Opens a tenant scope: an AsyncLocalStorage context plus a forked EntityManager whose
 * session context sets `app.tenant_id` transaction-locally (MikroORM's 'transaction'
 * strategy runs `set_config(..., true)` after every BEGIN). A pooled connection
 * therefore never carries a tenant to its next borrower.
 *
 * The only ways in: the HTTP tenant middleware, the job dispatcher, per-tenant CLI commands.
 */
@Injectable()
export class TenantScope {
  constructor(private readonly orm: MikroORM) {}

  /** Runs `fn` (and everything it starts, sync or async) inside the tenant's scope. */
  run<T>(tenantId: string, fn: (em: EntityManager) => T): T {
    const em = this.orm.em.fork({ session: { variables: { [TENANT_SETTING]: tenantId } } }) as EntityManager;
    return RequestContext.create(em, () => tenantContext.run({ tenantId }, () => fn(em)));
  }

  /** The scope's EntityManager; throws when no scope is open. */
  em(): EntityManager {
    tenantContext.requireTenantId();
    return RequestContext.getEntityManager() as EntityManager;
  }
}
