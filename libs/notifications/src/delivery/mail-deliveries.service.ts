import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, newId, type AppConfig } from '@allmende/core';
import { TenantScope, tenantContext } from '@allmende/db';
import type { MailDeliveryPayload } from '@allmende/jobs';
import {
  MailSendError,
  Mailer,
  deliveryMessageId,
  senderDomain,
  type DeliveryStatus,
  type MailKind,
} from '@allmende/mail';
import {
  MailRecipients,
  RECIPIENT_COLUMNS,
  RECIPIENT_FROM,
  toSettings,
  type RecipientRow,
} from '../mail-recipients';
import { MailComposer } from './mail-composer';

/** What became of one delivery job. */
export type DeliveryOutcome =
  /** Handed to SMTP now. */
  | 'sent'
  /** A digest with nothing new: recorded, no mail. */
  | 'empty'
  /** The ledger already has this member and key: sent (or recorded) before. */
  | 'duplicate'
  /** Nothing to send any more (member gone, switched off since, the post or event deleted …). */
  | 'obsolete';

/** A mail SMTP refused for good; the job must not retry (the ledger says `failed`). */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/**
 * Delivers one mail to one member exactly once. The ledger row (UNIQUE tenant, member,
 * period key) is inserted in a transaction that stays open while SMTP takes the mail and
 * commits only after SMTP accepted it:
 * - a second delivery of the same key (a retry, a repeated relay, a second worker) finds the
 *   committed row and sends nothing — or, while the first is still in flight, waits on the
 *   unique index and then finds it;
 * - a worker that dies before the commit leaves no row (PostgreSQL rolls the transaction
 *   back when the connection drops), so the job, handed back by BullMQ, sends the mail.
 * The one window left is a crash between SMTP's "250 OK" and the commit (milliseconds): the
 * mail goes out again with the same Message-ID, which mail clients collapse.
 */
@Injectable()
export class MailDeliveries {
  private readonly logger = new Logger(MailDeliveries.name);
  private readonly domain: string;

  constructor(
    private readonly scope: TenantScope,
    private readonly recipients: MailRecipients,
    private readonly composer: MailComposer,
    private readonly mailer: Mailer,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.domain = senderDomain(config.MAIL_FROM);
  }

  /**
   * Runs inside the payload's tenant scope (the job dispatcher opens it). One transaction from
   * reading the ledger to SMTP's acceptance: one BEGIN (with the tenant setting) per mail.
   */
  async deliver(payload: MailDeliveryPayload): Promise<DeliveryOutcome> {
    const community = await this.recipients.community();
    let messageId: string | null = null;
    try {
      return await this.scope.em().transactional(async (em) => {
        const state = await this.stateOf(em, payload.memberId, payload.periodKey);
        if (!state) return 'obsolete';
        if (state.recorded) return 'duplicate';
        const settings = toSettings(state, community);
        const composed = await this.composer.compose(payload, settings, community, state.lastDigestEnd);
        if (composed === 'obsolete') return 'obsolete';
        if (composed === 'empty') {
          return (await this.record(em, payload, 'empty', null, null)) ? 'empty' : 'duplicate';
        }
        messageId = deliveryMessageId(
          tenantContext.requireTenantId(),
          payload.memberId,
          payload.periodKey,
          this.domain,
        );
        const inserted = await this.record(em, payload, 'sent', messageId, null);
        if (!inserted) return 'duplicate';
        await this.mailer.send({
          ...composed.rendered,
          to: { name: settings.recipient.name, address: settings.recipient.email },
          messageId,
          headers: composed.headers,
        });
        return 'sent';
      });
    } catch (error) {
      if (error instanceof MailSendError && !error.temporary) {
        await this.record(this.scope.em(), payload, 'failed', messageId, error.message);
        this.logger.warn(
          { memberId: payload.memberId, periodKey: payload.periodKey, error: error.message },
          'mail refused',
        );
        throw new PermanentDeliveryError(`SMTP refused the mail: ${error.message}`);
      }
      throw error;
    }
  }

  /**
   * In one round trip: the member with their preferences, whether this delivery is in the
   * ledger, and where their last digest (sent or empty) ended. Null: no such member any more.
   */
  private async stateOf(
    em: EntityManager,
    memberId: string,
    periodKey: string,
  ): Promise<(RecipientRow & { recorded: boolean; lastDigestEnd: Date | null }) | null> {
    const [row] = await em.execute<(RecipientRow & { recorded: boolean; last_end: Date | null })[]>(
      `select ${RECIPIENT_COLUMNS},
              exists (select 1 from mail_deliveries d where d.member_id = m.id and d.period_key = ?) as recorded,
              (select max(d.covers_until) from mail_deliveries d
                where d.member_id = m.id and d.kind = 'digest' and d.status in ('sent', 'empty')) as last_end
         ${RECIPIENT_FROM} where m.id = ?`,
      [periodKey, memberId],
    );
    if (!row) return null;
    return { ...row, lastDigestEnd: row.last_end ? new Date(row.last_end) : null };
  }

  /** Inserts the ledger row unless one exists; true when this call inserted it. */
  private async record(
    em: EntityManager,
    payload: MailDeliveryPayload,
    status: DeliveryStatus,
    messageId: string | null,
    error: string | null,
  ): Promise<boolean> {
    const kind: MailKind = payload.kind;
    const rows = await em.execute<{ id: string }[]>(
      `insert into mail_deliveries (id, tenant_id, member_id, kind, period_key, status, message_id, covers_until, error)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (tenant_id, member_id, period_key) do nothing
       returning id`,
      [
        newId(),
        tenantContext.requireTenantId(),
        payload.memberId,
        kind,
        payload.periodKey,
        status,
        messageId,
        payload.kind === 'digest' ? new Date(payload.until) : null,
        error,
      ],
    );
    return rows.length === 1;
  }
}
