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
    ...overrides,
  });
}
