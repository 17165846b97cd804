import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@allmende/core';
import { testRun } from './test-run';

/** A validated config pointing at the run's database (as the app role) and Redis. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  const run = testRun();
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: run.appUrl,
    DATABASE_OWNER_URL: run.ownerUrl,
    REDIS_URL: run.redisUrl,
    QUEUE_PREFIX: run.queuePrefix,
    LOG_LEVEL: 'silent',
    PORT: '0',
    // Nothing listens there: tests that sign people in start a dev identity provider and
    // override KEYCLOAK_URL; the others only need a valid configuration.
    KEYCLOAK_URL: 'http://127.0.0.1:9',
    KEYCLOAK_PORTAL_CLIENT_SECRET: 'allmende-test-portal-secret',
    SESSION_SECRET: 'allmende-test-session-secret-of-32-characters',
    MAIL_TOKEN_SECRET: 'allmende-test-mail-token-secret-of-32-chars',
    // Nothing listens there either: tests that send mail start an SMTP server and override it.
    SMTP_URL: 'smtp://127.0.0.1:9',
    // The test files share one database: a relay would take other tests' outbox rows. Tests of the relay turn it on.
    OUTBOX_RELAY: 'off',
    // Likewise the repeating digest run would mail every tenant's members; tests run the scheduler themselves.
    DIGEST_SCHEDULE: 'off',
    // Never the checkout's .allmende/: tests that upload pass a directory of their own.
    FILES_DIR: join(tmpdir(), 'allmende-test-files'),
    // All test files come from 127.0.0.1 and share one Redis prefix: the rate-limit tests turn limits on.
    RATE_LIMITS: 'off',
    ...overrides,
  });
}
