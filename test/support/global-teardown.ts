import './register-aliases';
import { Redis } from 'ioredis';
import { dropDatabase } from '@allmende/db';
import { TEST_RUN_ENV } from './test-run';

/** Drops the run's database and its Redis keys, then stops what the set-up started. */
export default async function globalTeardown(): Promise<void> {
  const run = globalThis.__ALLMENDE_TEST__;
  if (!run) return;
  await dropDatabase(run.adminUrl, run.database);
  const prefix = process.env[TEST_RUN_ENV.queuePrefix];
  const redisUrl = process.env[TEST_RUN_ENV.redisUrl];
  if (prefix && redisUrl) {
    const redis = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  }
  for (const service of run.services.reverse()) await service.stop();
}
