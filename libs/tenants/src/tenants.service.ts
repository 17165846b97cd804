import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { TenantSchema, type Tenant } from './tenant.entity';

/**
 * The tenant directory. `tenants` is a global table, so lookups here need no tenant
 * scope: they are how a scope is found in the first place.
 */
@Injectable()
export class TenantsService {
  constructor(private readonly orm: MikroORM) {}

  /** The active tenant with this slug, or null (unknown and suspended look the same). */
  async findActiveBySlug(slug: string): Promise<Tenant | null> {
    return this.orm.em.fork().findOne(TenantSchema, { slug, status: 'active' });
  }

  /** Every tenant, active or disabled, by slug (the operators' overview). */
  async listAll(): Promise<Tenant[]> {
    return this.orm.em.fork().find(TenantSchema, {}, { orderBy: { slug: 'asc' } });
  }
}
