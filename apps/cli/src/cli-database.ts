import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '@allmende/core';
import { createOrmOptions, TenantScope } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import { TenantSchema, type Tenant } from '@allmende/tenants';
import { CliError, ExitCode } from './output';

/**
 * Runs a command body with the ORM connected as the app role (DATABASE_URL): CLI commands
 * pass row-level security like the API does. Closes the connection afterwards.
 */
export async function withDatabase<T>(fn: (orm: MikroORM, scope: TenantScope) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const orm = await MikroORM.init(
    createOrmOptions({ url: config.DATABASE_URL, entities: ALL_ENTITIES, poolMax: 4 }),
  );
  try {
    return await fn(orm, new TenantScope(orm));
  } finally {
    await orm.close(true);
  }
}

/** The tenant with this slug (any status), or a CliError with exit code 4. */
export async function requireTenant(orm: MikroORM, slug: string): Promise<Tenant> {
  const tenant = await orm.em.fork().findOne(TenantSchema, { slug });
  if (!tenant) throw new CliError(`no tenant "${slug}"`, ExitCode.notFound);
  return tenant;
}
