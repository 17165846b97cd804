import { Injectable } from '@nestjs/common';
import { TenantScope, tenantContext } from '@allmende/db';
import type { MailDeliveryPayload } from '@allmende/jobs';
import { OutboxEventSchema } from '@allmende/outbox';
import { AlertBuilder, alertPeriodKey, alertPhaseOf } from '../alerts/alert-builder';
import { NoticeBuilder } from '../notices/notice-builder';
import { MailJobs } from './mail-jobs';

/** The ledger key of a notice: one mail per outbox row and member. */
export function noticePeriodKey(outboxEventId: string): string {
  return `notice.${outboxEventId}`;
}

/**
 * The consumer of relayed outbox rows that concern mail: an urgent post (or its all-clear)
 * becomes one alert delivery per recipient, a reminder or decision one notice delivery per
 * recipient. Repeating it (a relay crash, a retried job) queues nothing new: job ids and the
 * ledger keys are deterministic.
 */
@Injectable()
export class OutboxFanOut {
  constructor(
    private readonly scope: TenantScope,
    private readonly alerts: AlertBuilder,
    private readonly notices: NoticeBuilder,
    private readonly mail: MailJobs,
  ) {}

  /** Whether a row is for us, and from when (a scheduled urgent post alerts when it appears). */
  consumes(topic: string, payload: Record<string, unknown>): { notBefore?: Date } | null {
    const alert = alertPhaseOf(topic, payload);
    if (alert) return { notBefore: alert.notBefore };
    return this.notices.topics.includes(topic) ? {} : null;
  }

  /** Runs in the row's tenant scope. Returns how many deliveries were queued. */
  async fanOut(outboxEventId: string): Promise<number> {
    const event = await this.scope.em().findOne(OutboxEventSchema, { id: outboxEventId });
    if (!event) return 0;
    const tenantId = tenantContext.requireTenantId();
    const alert = alertPhaseOf(event.topic, event.payload);
    let deliveries: MailDeliveryPayload[] = [];
    if (alert) {
      const members = await this.alerts.recipients(alert.postId, alert.phase);
      deliveries = members.map((memberId) => ({
        tenantId,
        memberId,
        kind: 'alert',
        periodKey: alertPeriodKey(alert.postId, alert.phase),
        postId: alert.postId,
        phase: alert.phase,
      }));
    } else if (this.notices.topics.includes(event.topic)) {
      const members = await this.notices.recipients(event);
      deliveries = members.map((memberId) => ({
        tenantId,
        memberId,
        kind: 'notice',
        periodKey: noticePeriodKey(event.id),
        outboxEventId: event.id,
      }));
    }
    return this.mail.enqueue(deliveries);
  }
}
