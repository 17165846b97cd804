import { AsyncLocalStorage } from 'node:async_hooks';

/** The PostgreSQL setting every tenant policy reads (transaction-local). */
export const TENANT_SETTING = 'app.tenant_id';

export interface TenantContext {
  readonly tenantId: string;
}

/** Thrown when tenant-owned data is touched with no tenant scope open. */
export class TenantScopeMissingError extends Error {
  constructor(what = 'tenant-owned data') {
    super(
      `Access to ${what} outside a tenant scope. Open one with TenantScope.run() ` +
        '(HTTP: the tenant middleware; jobs: the job dispatcher; CLI: --tenant).',
    );
    this.name = 'TenantScopeMissingError';
  }
}

const storage = new AsyncLocalStorage<TenantContext>();

export const tenantContext = {
  run<T>(context: TenantContext, fn: () => T): T {
    return storage.run(context, fn);
  },
  current(): TenantContext | undefined {
    return storage.getStore();
  },
  /** The current tenant's id; throws (fails loudly) when no scope is open. */
  requireTenantId(what?: string): string {
    const context = storage.getStore();
    if (!context) throw new TenantScopeMissingError(what);
    return context.tenantId;
  },
};
