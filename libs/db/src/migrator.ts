import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { createOrmOptions, type OrmOptionsInput } from './orm-options';

export interface MigrationState {
  name: string;
  applied: boolean;
  appliedAt?: string;
}

async function withOrm<T>(input: OrmOptionsInput, fn: (migrator: Migrator) => Promise<T>): Promise<T> {
  const orm = await MikroORM.init({ ...createOrmOptions({ ...input, poolMax: 1 }) });
  try {
    return await fn(orm.migrator as Migrator);
  } finally {
    await orm.close(true);
  }
}

/** Applies pending migrations, all or nothing. Run with the owner role's URL. */
export async function migrateUp(input: OrmOptionsInput): Promise<string[]> {
  return withOrm(input, async (migrator) => (await migrator.up()).map((migration) => migration.name));
}

/** Applied and pending migrations, in order. */
export async function migrationStatus(input: OrmOptionsInput): Promise<MigrationState[]> {
  return withOrm(input, async (migrator) => {
    const executed = await migrator.getExecuted();
    const pending = await migrator.getPending();
    return [
      ...executed.map((row) => ({
        name: row.name,
        applied: true,
        appliedAt: row.executed_at ? new Date(row.executed_at).toISOString() : undefined,
      })),
      ...pending.map((row) => ({ name: row.name, applied: false })),
    ];
  });
}

/**
 * The SQL statements that would make the database match the entities: the starting point
 * of a new migration (`allmende db diff`), and the drift check of the migrations test.
 */
export async function schemaDiff(input: OrmOptionsInput): Promise<string[]> {
  const orm = await MikroORM.init({ ...createOrmOptions({ ...input, poolMax: 1 }) });
  try {
    const sql = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    return sql
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  } finally {
    await orm.close(true);
  }
}
