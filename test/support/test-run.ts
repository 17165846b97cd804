/**
 * What the global set-up hands to the test files (through the environment, which Jest
 * workers inherit).
 */
export const TEST_RUN_ENV = {
  adminUrl: 'ALLMENDE_TEST_ADMIN_URL',
  ownerUrl: 'ALLMENDE_TEST_OWNER_URL',
  appUrl: 'ALLMENDE_TEST_APP_URL',
  redisUrl: 'ALLMENDE_TEST_REDIS_URL',
  queuePrefix: 'ALLMENDE_TEST_QUEUE_PREFIX',
} as const;

export interface TestRun {
  /** Superuser on the run's database (for schema checks that need it). */
  adminUrl: string;
  ownerUrl: string;
  appUrl: string;
  redisUrl: string;
  queuePrefix: string;
}

export function testRun(): TestRun {
  const read = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: integration tests run through the Jest global set-up`);
    return value;
  };
  return {
    adminUrl: read(TEST_RUN_ENV.adminUrl),
    ownerUrl: read(TEST_RUN_ENV.ownerUrl),
    appUrl: read(TEST_RUN_ENV.appUrl),
    redisUrl: read(TEST_RUN_ENV.redisUrl),
    // One prefix per Jest worker: test files run side by side, and a worker started by one
    // file must never take another file's jobs. (The teardown removes `${prefix}*`.)
    queuePrefix: `${read(TEST_RUN_ENV.queuePrefix)}-w${process.env.JEST_WORKER_ID ?? '0'}`,
  };
}
