import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import type { Redis } from 'ioredis';
import { REDIS, WorkerHeartbeat } from '@allmende/jobs';

export interface CheckResult {
  status: 'up' | 'down';
  error?: string;
}

/**
 * `ok`: everything answers. `degraded`: PostgreSQL answers, Redis does not — reads and writes
 * still work (bearer auth and the outbox need no Redis), portal sign-in and sessions do not, and
 * notifications wait in the outbox. `error`: PostgreSQL does not answer; nothing can be served.
 */
export type ReadinessStatus = 'ok' | 'degraded' | 'error';

export interface Readiness {
  status: ReadinessStatus;
  checks: { database: CheckResult; redis: CheckResult };
  /** Informational: when a worker last reported (null: none recently). Does not fail readiness. */
  worker: { lastHeartbeat: string | null };
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`${what} did not answer in ${CHECK_TIMEOUT_MS} ms`)),
        CHECK_TIMEOUT_MS,
      ).unref(),
    ),
  ]);
}

async function check(what: string, probe: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await withTimeout(probe(), what);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: error instanceof Error ? error.message : String(error) };
  }
}

@Injectable()
export class HealthService {
  constructor(
    private readonly orm: MikroORM,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly heartbeat: WorkerHeartbeat,
  ) {}

  async readiness(): Promise<Readiness> {
    const [database, redis] = await Promise.all([
      check('PostgreSQL', () => this.orm.em.getConnection().execute('select 1')),
      check('Redis', () => this.redis.ping()),
    ]);
    const lastHeartbeat = redis.status === 'up' ? await this.heartbeat.lastSeen().catch(() => null) : null;
    return {
      status: database.status === 'down' ? 'error' : redis.status === 'down' ? 'degraded' : 'ok',
      checks: { database, redis },
      worker: { lastHeartbeat: lastHeartbeat?.toISOString() ?? null },
    };
  }
}
