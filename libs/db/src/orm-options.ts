import { Migrator } from '@mikro-orm/migrations';
import type { Options } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import { deferTransactionStarts } from './deferred-transaction-start';
import { MIGRATIONS } from './migrations';
import { PreludePostgreSqlDriver } from './prelude-postgresql-driver';
import { releaseBrokenClients } from './release-broken-clients';
import { TenantOwnedSubscriber } from './tenancy/tenant-owned.subscriber';

export interface OrmOptionsInput {
  url: string;
  entities: NonNullable<Options['entities']>;
  poolMax?: number;
  debug?: boolean;
}

/** The MikroORM configuration shared by api, worker, cli and tests. */
export function createOrmOptions(input: OrmOptionsInput): Options {
  return {
    // BEGIN and the tenant setting travel with a transaction's first statement.
    driver: PreludePostgreSqlDriver,
    clientUrl: input.url,
    entities: [...input.entities],
    subscribers: [new TenantOwnedSubscriber()],
    pool: { min: 0, max: input.poolMax ?? 10 },
    driverOptions: {
      onPoolCreated: (pool: Pool) => {
        // A connection PostgreSQL closed mid-transaction goes back to the pool (and is discarded).
        releaseBrokenClients(pool);
        deferTransactionStarts(pool);
      },
    },
    // Transaction-local set_config after every BEGIN; see TenantScope.
    sessionContext: 'transaction',
    // The app role cannot create databases; migrations are a separate, explicit step.
    ensureDatabase: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: input.debug ?? false,
    extensions: [Migrator],
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      snapshotOnMigrate: false,
      silent: true,
    },
  };
}
