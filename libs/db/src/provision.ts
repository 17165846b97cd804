import { Client } from 'pg';
import { APP_ROLE, OWNER_ROLE } from './roles';

export interface ProvisionInput {
  /** A superuser (or CREATEROLE + CREATEDB) connection to the cluster. */
  adminUrl: string;
  database: string;
  ownerPassword: string;
  appPassword: string;
}

export interface ProvisionedDatabase {
  ownerUrl: string;
  appUrl: string;
}

function withCredentials(url: string, user: string, password: string, database: string): string {
  const target = new URL(url);
  target.username = user;
  target.password = password;
  target.pathname = `/${database}`;
  return target.toString();
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates (or updates) the owner and app roles and creates the database owned by the
 * owner. Used by `allmende dev` and the test set-up; production does the same with
 * docker/postgres/10-roles.sh or by hand.
 */
export async function provisionDatabase(input: ProvisionInput): Promise<ProvisionedDatabase> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(input.database))
    throw new Error(`bad database name "${input.database}"`);
  await withClient(input.adminUrl, async (client) => {
    const roles = [
      { name: OWNER_ROLE, password: input.ownerPassword },
      { name: APP_ROLE, password: input.appPassword },
    ];
    for (const role of roles) {
      // The app role must never bypass RLS; the owner must not either (policies are forced).
      const attributes = `login nosuperuser nobypassrls nocreatedb nocreaterole password ${client.escapeLiteral(role.password)}`;
      const exists = await client.query('select 1 from pg_roles where rolname = $1', [role.name]);
      // Two concurrent runs may race to create a role; the loser just updates it.
      await client
        .query(`${exists.rowCount ? 'alter' : 'create'} role "${role.name}" ${attributes}`)
        .catch(async (error: { code?: string }) => {
          if (error.code !== '42710') throw error;
          await client.query(`alter role "${role.name}" ${attributes}`);
        });
    }
    const database = await client.query('select 1 from pg_database where datname = $1', [input.database]);
    if (!database.rowCount) await client.query(`create database "${input.database}" owner "${OWNER_ROLE}"`);
  });
  // PostgreSQL < 15 lets PUBLIC create tables in `public`; the app role must not.
  const adminOnDatabase = new URL(input.adminUrl);
  adminOnDatabase.pathname = `/${input.database}`;
  await withClient(adminOnDatabase.toString(), async (client) => {
    await client.query('revoke create on schema public from public');
    await client.query(`alter schema public owner to "${OWNER_ROLE}"`);
  });
  return {
    ownerUrl: withCredentials(input.adminUrl, OWNER_ROLE, input.ownerPassword, input.database),
    appUrl: withCredentials(input.adminUrl, APP_ROLE, input.appPassword, input.database),
  };
}

/** Drops a database, disconnecting its sessions (test runs clean up after themselves). */
export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    await client.query(`drop database if exists "${database}" with (force)`);
  });
}
