import { defineEntity, p } from '@mikro-orm/core';
import { BaseSchema } from '../base.entity';
import { tenantContext, TENANT_SETTING } from './tenant-context';

/**
 * The one expression every tenant policy uses: no setting (or '') means no tenant, so no rows.
 * The setting sits in a scalar subquery so that PostgreSQL reads it once per statement (an
 * InitPlan) rather than once per row (Migration20261204000000_tenant_policy_once); the alias
 * is spelt out so that the schema diff compares it with what PostgreSQL gives back.
 */
export const TENANT_POLICY_EXPRESSION = `tenant_id = (select NULLIF(current_setting('${TENANT_SETTING}', true), '')::uuid as tenant_id)`;

/**
 * Base of every tenant-owned entity. It carries the two isolation layers:
 * - PostgreSQL row-level security, enabled and forced, with the tenant policy;
 * - the MikroORM `tenant` filter, on by default, which reads the open tenant scope
 *   and throws when there is none.
 */
export const TenantOwnedSchema = defineEntity({
  name: 'TenantOwned',
  abstract: true,
  extends: BaseSchema,
  properties: {
    // Stamped from the open scope on insert (and checked by TenantOwnedSubscriber).
    tenantId: p.uuid().onCreate(() => tenantContext.requireTenantId()),
  },
  rowLevelSecurity: 'force',
  policies: [{ name: 'tenant_isolation', using: TENANT_POLICY_EXPRESSION, check: TENANT_POLICY_EXPRESSION }],
  filters: {
    tenant: {
      name: 'tenant',
      default: true,
      args: false,
      cond: () => ({ tenantId: tenantContext.requireTenantId() }),
    },
  },
});
