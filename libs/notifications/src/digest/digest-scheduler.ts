import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { JobProducer, type JobPayload } from '@allmende/jobs';
import { MailRecipients, toSettings, type RecipientRow } from '../mail-recipients';
import { latestDigestPeriod } from './digest-schedule';

export const DIGEST_BATCH_SIZE = 50;

export interface DigestRunResult {
  tenants: number;
  /** Members whose digest was due and handed to batches (capped per tenant). */
  due: number;
  batches: number;
}

interface CandidateRow extends RecipientRow {
  last_key: string | null;
  last_at: Date | null;
}

type BatchEntry = JobPayload<'notifications.digest-batch'>['members'][number];

/**
 * Finds, per tenant, the members whose digest is due in their own time zone (the latest
 * period's due time has passed and the ledger has no digest of that period yet), oldest
 * attempt first, at most DIGEST_MAX_PER_RUN per tenant, and enqueues batches of 50 with
 * deterministic job ids (the same members and periods → the same id → queued once).
 * Runs again every DIGEST_SCHEDULE_EVERY_MS; anyone not reached comes next time.
 */
@Injectable()
export class DigestScheduler {
  private readonly logger = new Logger(DigestScheduler.name);

  constructor(
    private readonly scope: TenantScope,
    private readonly recipients: MailRecipients,
    private readonly jobs: JobProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(options: { now?: Date; tenantId?: string } = {}): Promise<DigestRunResult> {
    const now = options.now ?? new Date();
    const perTenant = options.tenantId
      ? [await this.scope.run(options.tenantId, () => this.scheduleTenant(options.tenantId!, now))]
      : await this.scope.forEachTenant((_em, tenantId) => this.scheduleTenant(tenantId, now));
    const result: DigestRunResult = { tenants: perTenant.length, due: 0, batches: 0 };
    for (const tenant of perTenant) {
      result.due += tenant.due;
      result.batches += tenant.batches;
    }
    if (result.due > 0) this.logger.log(result, 'digests scheduled');
    return result;
  }

  /** The due members of the current tenant, oldest attempt first. */
  async dueMembers(now: Date): Promise<BatchEntry[]> {
    const community = await this.recipients.community();
    const rows = await this.scope.em().execute<CandidateRow[]>(
      `select m.id, m.email, m.given_name, m.family_name,
              p.digest_frequency, p.digest_hour, p.digest_weekday, p.muted_group_ids,
              p.urgent_alerts, p.language, p.time_zone,
              last.period_key as last_key, last.created_at as last_at
         from members m
         left join notification_preferences p on p.member_id = m.id
         left join lateral (
           select d.period_key, d.created_at from mail_deliveries d
            where d.member_id = m.id and d.kind = 'digest'
            order by d.created_at desc limit 1) last on true
        order by last.created_at asc nulls first, m.id`,
    );
    const due: BatchEntry[] = [];
    for (const row of rows) {
      const settings = toSettings(row, community);
      const period = latestDigestPeriod(settings.digest, settings.recipient.timeZone, now);
      if (!period || period.key === row.last_key) continue;
      due.push({
        memberId: row.id,
        periodKey: period.key,
        frequency: period.frequency,
        until: period.dueAt.toISOString(),
      });
    }
    return due;
  }

  private async scheduleTenant(tenantId: string, now: Date): Promise<{ due: number; batches: number }> {
    const due = (await this.dueMembers(now)).slice(0, this.config.DIGEST_MAX_PER_RUN);
    const queue = this.jobs.queue('notifications.digest-batch');
    let batches = 0;
    for (let start = 0; start < due.length; start += DIGEST_BATCH_SIZE * 20) {
      const jobs = [];
      for (
        let offset = start;
        offset < Math.min(due.length, start + DIGEST_BATCH_SIZE * 20);
        offset += DIGEST_BATCH_SIZE
      ) {
        const members = due.slice(offset, offset + DIGEST_BATCH_SIZE);
        jobs.push({
          name: 'notifications.digest-batch',
          data: { tenantId, members },
          opts: { jobId: batchJobId(tenantId, members) },
        });
      }
      await queue.addBulk(jobs);
      batches += jobs.length;
    }
    return { due: due.length, batches };
  }
}

/** The same tenant, members and periods always give the same id. */
export function batchJobId(tenantId: string, members: readonly BatchEntry[]): string {
  const hash = createHash('sha256');
  for (const entry of members) hash.update(`${entry.memberId}/${entry.periodKey}\n`);
  return `digest-batch.${tenantId}.${hash.digest('hex').slice(0, 32)}`;
}
