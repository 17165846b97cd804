import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '@allmende/core';

/** The built worker (dist/, made by `npm run build`, which `npm test` runs first). */
export const WORKER_MAIN = join(__dirname, '../../dist/apps/worker/src/main.js');

/** Fails the test with what to do when the worker has not been built. */
export function requireBuiltWorker(): void {
  if (!existsSync(WORKER_MAIN)) throw new Error(`${WORKER_MAIN} is missing: run \`npm run build\` first`);
}

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Everything it wrote to stdout and stderr so far (for a failing test's message). */
  output: () => string;
}

/** What differs between the tests that kill workers: links in mails, and the outbox relay. */
export interface WorkerEnv {
  PUBLIC_URL: string;
  /** `off` where test files share one database (the test relays itself), `on` for a database of its own. */
  OUTBOX_RELAY: 'on' | 'off';
  OUTBOX_POLL_MS?: string;
}

/**
 * The worker as a process of its own, so that a test can SIGKILL it mid-batch: small lock
 * durations (a killed worker's jobs come back fast), no repeating digest run (the test
 * schedules), no mail rate limit.
 */
export function spawnWorker(config: AppConfig, workerEnv: WorkerEnv): WorkerProcess {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    DATABASE_URL: config.DATABASE_URL,
    REDIS_URL: config.REDIS_URL,
    QUEUE_PREFIX: config.QUEUE_PREFIX,
    SMTP_URL: config.SMTP_URL,
    MAIL_TOKEN_SECRET: config.MAIL_TOKEN_SECRET,
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: '5',
    MAIL_RATE_PER_SECOND: '1000',
    WORKER_LOCK_DURATION_MS: '2000',
    DIGEST_SCHEDULE: 'off',
    ...workerEnv,
  };
  const child = spawn(process.execPath, [WORKER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Polls `probe` until it gives a value (returned), failing after `timeoutMs`. */
export async function until<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
