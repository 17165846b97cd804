import './register-aliases';
import { randomBytes } from 'node:crypto';
import { migrateUp, provisionDatabase } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import { resolvePostgres, resolveRedis, type TestService } from './test-services';
import { TEST_RUN_ENV } from './test-run';

declare global {
  var __ALLMENDE_TEST__: { services: TestService[]; adminUrl: string; database: string } | undefined;
}

const log = (line: string) => process.stdout.write(`[test services] ${line}\n`);

/** One database per run: provisioned with both roles, migrated once, dropped at teardown. */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const [postgres, redis] = await Promise.all([resolvePostgres(log), resolveRedis(log)]);
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const database = `allmende_test_${runId}`;
  const provisioned = await provisionDatabase({
    adminUrl: postgres.url,
    database,
    // Roles are cluster-wide; fixed test passwords keep parallel runs from locking each other out.
    ownerPassword: 'allmende-test-owner',
    appPassword: 'allmende-test-app',
  });
  await migrateUp({ url: provisioned.ownerUrl, entities: ALL_ENTITIES });
  const adminOnDatabase = new URL(postgres.url);
  adminOnDatabase.pathname = `/${database}`;
  process.env[TEST_RUN_ENV.adminUrl] = adminOnDatabase.toString();
  process.env[TEST_RUN_ENV.ownerUrl] = provisioned.ownerUrl;
  process.env[TEST_RUN_ENV.appUrl] = provisioned.appUrl;
  process.env[TEST_RUN_ENV.redisUrl] = redis.url;
  process.env[TEST_RUN_ENV.queuePrefix] = `allmende-test-${runId}`;
  globalThis.__ALLMENDE_TEST__ = { services: [postgres, redis], adminUrl: postgres.url, database };
  log(`database ${database} migrated in ${Date.now() - started} ms`);
}
