import { Injectable } from '@nestjs/common';
import { TenantScope, tenantContext } from '@allmende/db';
import type { JobPayload } from '@allmende/jobs';
import { MailJobs } from '../delivery/mail-jobs';

/**
 * One batch of the scheduler: the members of it that have no digest of their period in the
 * ledger yet go to the mail queue, one delivery each (there each digest is built, rendered
 * and sent exactly once, at the mail queue's rate).
 */
@Injectable()
export class DigestBatches {
  constructor(
    private readonly scope: TenantScope,
    private readonly mail: MailJobs,
  ) {}

  async process(
    payload: JobPayload<'notifications.digest-batch'>,
  ): Promise<{ queued: number; done: number }> {
    const recorded = await this.scope.em().execute<{ member_id: string; period_key: string }[]>(
      `select member_id, period_key from mail_deliveries
        where member_id = any(array[?]::uuid[]) and period_key = any(array[?]::text[])`,
      [
        payload.members.map((entry) => entry.memberId),
        [...new Set(payload.members.map((entry) => entry.periodKey))],
      ],
    );
    const done = new Set(recorded.map((row) => `${row.member_id}/${row.period_key}`));
    const open = payload.members.filter((entry) => !done.has(`${entry.memberId}/${entry.periodKey}`));
    await this.mail.enqueue(
      open.map((entry) => ({
        tenantId: tenantContext.requireTenantId(),
        memberId: entry.memberId,
        kind: 'digest' as const,
        periodKey: entry.periodKey,
        frequency: entry.frequency,
        until: entry.until,
      })),
    );
    return { queued: open.length, done: done.size };
  }
}
