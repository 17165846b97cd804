import { Injectable } from '@nestjs/common';
import {
  MikroORM,
  RequestContext,
  TransactionContext,
  type AnyEntity,
  type EntityData,
} from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PreludePostgreSqlConnection } from '../prelude-postgresql-driver';
import { tenantContext, TENANT_SETTING } from './tenant-context';

/**
 * Opens a tenant scope: an AsyncLocalStorage context plus a forked EntityManager whose
 * session context sets `app.tenant_id` transaction-locally (MikroORM's 'transaction'
 * strategy runs `set_config(..., true)` after every BEGIN, sent with the transaction's first
 * statement: PreludePostgreSqlConnection). A pooled connection
 * therefore never carries a tenant to its next borrower.
 *
 * The only ways in: the HTTP tenant middleware, the job dispatcher, per-tenant CLI commands.
 */
@Injectable()
export class TenantScope {
  constructor(private readonly orm: MikroORM) {}

  /** Runs `fn` (and everything it starts, sync or async) inside the tenant's scope. */
  run<T>(tenantId: string, fn: (em: EntityManager) => T): T {
    const em = this.orm.em.fork({
      session: { variables: { [TENANT_SETTING]: tenantId } },
      disableContextResolution: true,
    }) as EntityManager;
    // The scope's EntityManager (RequestContext) follows MikroORM's transaction context, so a
    // scope opened inside a transaction of another scope would run its queries in that
    // transaction, under the other tenant's setting. Starting the scope with its own fork as the
    // context cuts it loose; its own transactions set the context again.
    return TransactionContext.create(em, () =>
      RequestContext.create(em, () => tenantContext.run({ tenantId }, () => fn(em))),
    );
  }

  /**
   * Runs `fn` inside the scope of every tenant, one tenant after the other, and returns what
   * each run returned. For cross-tenant system jobs (archiving, reminders): the list of
   * tenants comes from the global `tenants` table; tenant data is only ever read inside a
   * tenant's own scope.
   */
  async forEachTenant<T>(fn: (em: EntityManager, tenantId: string) => Promise<T>): Promise<T[]> {
    const tenants = await this.orm.em
      .fork()
      .getConnection()
      .execute<{ id: string }[]>('select id from tenants order by id');
    const results: T[] = [];
    for (const tenant of tenants) results.push(await this.run(tenant.id, (em) => fn(em, tenant.id)));
    return results;
  }

  /**
   * Runs the queries of one read in a single transaction. Outside one, the 'transaction'
   * strategy wraps every query in BEGIN / set_config / COMMIT of its own: a pool checkout and a
   * COMMIT per statement (BEGIN and the setting travel with the statement,
   * deferred-transaction-start.ts). Inside, the setting is made once, and all the
   * read's queries (also those of the services it calls through `em()`) share one connection
   * and one snapshot. A read inside a transaction joins it. For reads: keep writes out.
   */
  async read<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    const em = this.em();
    if (em.isInTransaction()) return fn(em);
    return em.transactional((tx) => fn(tx as EntityManager));
  }

  /**
   * Runs one SQL statement (`?` placeholders) in the scope, as a transaction of its own in one
   * round trip: the tenant setting and the statement go out together, and PostgreSQL runs them
   * as one implicit transaction (PreludePostgreSqlConnection.executeAlone) — where `read` or a
   * query outside a transaction also sends a COMMIT. For the hot single-statement reads (the
   * news feed, the member lookup of every request) and single-statement writes. Inside a
   * transaction the statement joins it.
   */
  async execute<T extends EntityData<AnyEntity>[]>(sql: string, params: readonly unknown[] = []): Promise<T> {
    const em = this.em();
    const connection = em.getConnection();
    const context = em.getSessionContext();
    if (em.isInTransaction() || !context || !(connection instanceof PreludePostgreSqlConnection))
      return em.execute<T>(sql, [...params]);
    return connection.executeAlone<T>(sql, params, context);
  }

  /** The scope's EntityManager (inside a transaction, the transaction's); throws when no scope is open. */
  em(): EntityManager {
    tenantContext.requireTenantId();
    return RequestContext.getEntityManager() as EntityManager;
  }
}
