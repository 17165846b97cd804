import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port';

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

/** Thrown when no redis-server binary can be found; the message says how to get one. */
export class RedisServerNotFoundError extends Error {
  constructor() {
    super(
      'redis-server was not found on PATH. Install Redis ≥ 7 (Debian/Ubuntu: apt-get install redis-server; ' +
        'macOS: brew install redis) or set REDIS_URL to a running Redis.',
    );
    this.name = 'RedisServerNotFoundError';
  }
}

export function findOnPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined); // connect() rejects; the event would only be noise
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`redis-server did not answer within ${timeoutMs} ms`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
}

/**
 * Starts `redis-server` from PATH on a free loopback port. `noeviction` is Redis's
 * default and what BullMQ requires; `dataDir` keeps an append-only file when given.
 */
export async function startRedisServer(
  options: { dataDir?: string; port?: number } = {},
): Promise<LocalRedis> {
  const binary = findOnPath('redis-server');
  if (!binary) throw new RedisServerNotFoundError();
  // A given port: a test that stops Redis and starts it again where its clients reconnect.
  const port = options.port ?? (await freePort());
  const persistence = options.dataDir
    ? ['--dir', options.dataDir, '--appendonly', 'yes', '--save', '']
    : ['--appendonly', 'no', '--save', ''];
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--maxmemory-policy', 'noeviction', ...persistence],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.once('exit', () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  const url = `redis://127.0.0.1:${port}`;
  await Promise.race([
    waitForPing(url, 10_000),
    exited.then(() => {
      throw new Error(`redis-server exited at start (port ${port})`);
    }),
  ]);
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
