import { Command } from 'commander';
import { loadConfig } from '@allmende/core';
import { migrateUp, migrationStatus, schemaDiff } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import type { Output } from '../output';

/** `allmende db migrate|status`. Migrations run with the owner role, never on API start. */
export function dbCommand(output: Output): Command {
  const db = new Command('db').description('database migrations');

  db.command('migrate')
    .description('apply pending migrations (needs DATABASE_OWNER_URL, the owner role)')
    .option('--json', 'print the applied migrations as JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig(process.env, { require: ['DATABASE_OWNER_URL'] });
      const applied = await migrateUp({ url: config.DATABASE_OWNER_URL!, entities: ALL_ENTITIES });
      if (options.json) return output.out(JSON.stringify({ applied }));
      output.out(
        applied.length === 0 ? 'Database is up to date.' : `Applied ${applied.length}: ${applied.join(', ')}`,
      );
    });

  db.command('status')
    .description('list applied and pending migrations')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig();
      const url = config.DATABASE_OWNER_URL ?? config.DATABASE_URL;
      const migrations = await migrationStatus({ url, entities: ALL_ENTITIES });
      if (options.json) return output.out(JSON.stringify(migrations, null, 2));
      const pending = migrations.filter((migration) => !migration.applied).length;
      for (const migration of migrations) {
        output.out(
          `${migration.applied ? 'applied' : 'pending'}  ${migration.appliedAt ?? '-'.padEnd(24)}  ${migration.name}`,
        );
      }
      output.out(`${migrations.length - pending} applied, ${pending} pending`);
    });

  db.command('diff')
    .description(
      'print the SQL that would make the database match the entities (a start for a new migration)',
    )
    .action(async () => {
      const config = loadConfig(process.env, { require: ['DATABASE_OWNER_URL'] });
      const statements = await schemaDiff({ url: config.DATABASE_OWNER_URL!, entities: ALL_ENTITIES });
      output.out(statements.length === 0 ? '-- no difference' : statements.join('\n'));
    });

  return db;
}
