import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { JobsOptions } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { JobProducer, REDIS } from '@allmende/jobs';
import { OutboxFanOut } from '@allmende/notifications';

/** Rows one tenant's relay takes per round. */
const RELAY_BATCH = 500;
/** How long a hand-off to Redis may take before the round gives up (rows stay unrelayed). */
const HAND_OFF_TIMEOUT_MS = 5_000;

interface PendingRow {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
}

/**
 * Moves outbox rows to the queues and marks them relayed. It polls PostgreSQL on its own timer,
 * not as a BullMQ job, so that it keeps running while Redis is down: rows written meanwhile stay
 * unrelayed (the hand-off fails, the transaction rolls back) and go out when Redis is back.
 * Rows are locked with SKIP LOCKED, so several workers share the work. A crash after the
 * hand-off but before the commit relays a row again; its job id (`outbox.<row id>`) and the
 * consumers' ledger keys make that harmless.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<unknown> | undefined;
  private stopped = false;
  private redisDownLogged = false;

  constructor(
    private readonly scope: TenantScope,
    private readonly jobs: JobProducer,
    private readonly fanOut: OutboxFanOut,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.OUTBOX_RELAY === 'on') this.schedule(0);
    else this.logger.log('outbox relay off (OUTBOX_RELAY=off)');
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  /** One round over every tenant; returns the rows relayed (0 while Redis is unreachable). */
  async relayOnce(): Promise<number> {
    if (!this.redisReady()) return 0;
    const counts = await this.scope.forEachTenant((em, tenantId) => this.relayTenant(em, tenantId));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.relayOnce()
        .catch((error: unknown) => this.logger.warn(`outbox relay round failed: ${(error as Error).message}`))
        .finally(() => this.schedule(this.config.OUTBOX_POLL_MS));
    }, delayMs);
  }

  private redisReady(): boolean {
    // The shared client reconnects on its own; while it is not ready, Redis is away.
    const ready = this.redis.status === 'ready';
    if (!ready && !this.redisDownLogged)
      this.logger.warn('Redis unreachable: outbox rows wait until it is back');
    this.redisDownLogged = !ready;
    return ready;
  }

  private relayTenant(scoped: EntityManager, tenantId: string): Promise<number> {
    return scoped.transactional(async (em) => {
      const rows = await em.execute<PendingRow[]>(
        `select id, topic, payload from outbox_events where relayed_at is null
          order by created_at limit ? for update skip locked`,
        [RELAY_BATCH],
      );
      if (rows.length === 0) return 0;
      const now = Date.now();
      const jobs = rows.flatMap((row) => {
        const consumed = this.fanOut.consumes(row.topic, row.payload);
        if (!consumed) return [];
        const opts: JobsOptions = { jobId: `outbox.${row.id}` };
        if (consumed.notBefore && consumed.notBefore.getTime() > now)
          opts.delay = consumed.notBefore.getTime() - now;
        return [{ name: 'notifications.outbox-event', data: { tenantId, outboxEventId: row.id }, opts }];
      });
      if (jobs.length > 0) {
        await withTimeout(this.jobs.queue('notifications.outbox-event').addBulk(jobs), HAND_OFF_TIMEOUT_MS);
      }
      await em.execute(`update outbox_events set relayed_at = now() where id = any(array[?]::uuid[])`, [
        rows.map((row) => row.id),
      ]);
      return rows.length;
    });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not take the jobs within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
