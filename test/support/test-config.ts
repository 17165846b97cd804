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
    // Never the checkout's .allmende/: tests that upload pass a directory of their own.
    FILES_DIR: join(tmpdir(), 'allmende-test-files'),
    ...overrides,
  });
}
