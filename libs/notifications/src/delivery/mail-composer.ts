import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@allmende/core';
import { TenantScope, tenantContext } from '@allmende/db';
import type { MailDeliveryPayload } from '@allmende/jobs';
import { MailRenderer, UnsubscribeTokens, senderDomain, type RenderedMail } from '@allmende/mail';
import { OutboxEventSchema } from '@allmende/outbox';
import { AlertBuilder } from '../alerts/alert-builder';
import { DigestBuilder } from '../digest/digest-builder';
import { latestDigestPeriod, type DigestPeriod } from '../digest/digest-schedule';
import { MailRecipients, type MailCommunityInfo, type RecipientSettings } from '../mail-recipients';
import { NoticeBuilder } from '../notices/notice-builder';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A mail ready to address: rendered, with its headers. */
export interface ComposedMail {
  rendered: RenderedMail;
  headers: Record<string, string>;
}

/**
 * Builds and renders the mail a delivery names (digest, alert or notice) for one member,
 * without sending or recording anything: the delivery sends it, `allmende digest preview`
 * shows it. `empty`: a digest with nothing new; `obsolete`: nothing to send any more.
 */
@Injectable()
export class MailComposer {
  private readonly domain: string;

  constructor(
    private readonly scope: TenantScope,
    private readonly recipients: MailRecipients,
    private readonly digests: DigestBuilder,
    private readonly alerts: AlertBuilder,
    private readonly notices: NoticeBuilder,
    private readonly renderer: MailRenderer,
    private readonly tokens: UnsubscribeTokens,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.domain = senderDomain(config.MAIL_FROM);
  }

  /**
   * The digest a member would get for the period due at `now` (in the current tenant scope),
   * built exactly as the delivery builds it; nothing is sent or recorded.
   */
  async previewDigest(
    memberId: string,
    now: Date = new Date(),
  ): Promise<{
    period: DigestPeriod | null;
    mail: ComposedMail | 'empty' | 'obsolete';
    settings: RecipientSettings;
  } | null> {
    const community = await this.recipients.community();
    const settings = (await this.recipients.load([memberId], community)).get(memberId);
    if (!settings) return null;
    const period = latestDigestPeriod(settings.digest, settings.recipient.timeZone, now);
    if (!period) return { period, mail: 'obsolete', settings };
    const mail = await this.compose(
      {
        tenantId: tenantContext.requireTenantId(),
        memberId,
        kind: 'digest',
        periodKey: period.key,
        frequency: period.frequency,
        until: period.dueAt.toISOString(),
      },
      settings,
      community,
    );
    return { period, mail, settings };
  }

  /**
   * Builds and renders the mail a payload names, with its list headers. `lastDigestEnd`: where
   * the member's last digest ended, if the caller read it already (undefined: read it here).
   */
  async compose(
    payload: MailDeliveryPayload,
    settings: RecipientSettings,
    community: MailCommunityInfo,
    lastDigestEnd?: Date | null,
  ): Promise<ComposedMail | 'empty' | 'obsolete'> {
    const tenantId = tenantContext.requireTenantId();
    switch (payload.kind) {
      case 'digest': {
        if (settings.digest.frequency === 'off') return 'obsolete';
        const until = new Date(payload.until);
        const since =
          (lastDigestEnd === undefined ? await this.lastDigestEnd(payload.memberId) : lastDigestEnd) ??
          new Date(until.getTime() - periodMs(payload.frequency));
        if (since >= until) return 'empty';
        const model = await this.digests.build({
          settings,
          community,
          frequency: payload.frequency,
          since,
          until,
        });
        if (!model) return 'empty';
        const unsubscribeUrl = this.unsubscribeUrl(tenantId, payload.memberId, 'digest');
        return {
          rendered: this.renderer.renderDigest({ ...model, unsubscribeUrl }),
          headers: listHeaders(unsubscribeUrl, `digest.${community.slug}`, this.domain),
        };
      }
      case 'alert': {
        if (payload.phase === 'published' && !settings.urgentAlerts) return 'obsolete';
        const model = await this.alerts.build(payload.postId, payload.phase, settings, community);
        if (!model) return 'obsolete';
        const unsubscribeUrl = this.unsubscribeUrl(tenantId, payload.memberId, 'alerts');
        return {
          rendered: this.renderer.renderAlert({ ...model, unsubscribeUrl }),
          headers: listHeaders(unsubscribeUrl, `alerts.${community.slug}`, this.domain),
        };
      }
      case 'notice': {
        const event = await this.scope.em().findOne(OutboxEventSchema, { id: payload.outboxEventId });
        if (!event) return 'obsolete';
        const model = await this.notices.build(event, settings, community);
        if (!model) return 'obsolete';
        // A notice answers something the member did or must do (transactional): no list headers.
        return {
          rendered: this.renderer.renderNotice(model),
          headers: { 'Auto-Submitted': 'auto-generated' },
        };
      }
    }
  }

  private unsubscribeUrl(tenantId: string, memberId: string, list: 'digest' | 'alerts'): string {
    return this.recipients.links.unsubscribe(this.tokens.sign({ tenantId, memberId, list }));
  }

  /** Where the member's last digest (sent or empty) ended: the next one starts there. */
  private async lastDigestEnd(memberId: string): Promise<Date | null> {
    const [row] = await this.scope.em().execute<{ until: Date | null }[]>(
      `select max(covers_until) as until from mail_deliveries
        where member_id = ? and kind = 'digest' and status in ('sent', 'empty')`,
      [memberId],
    );
    return row?.until ? new Date(row.until) : null;
  }
}

function periodMs(frequency: 'daily' | 'weekly'): number {
  return frequency === 'daily' ? DAY_MS : 7 * DAY_MS;
}

/**
 * RFC 2369 / RFC 8058 headers of mails a member subscribed to: one-click unsubscribe by POST
 * to the same URL; List-Id names the list per community.
 */
export function listHeaders(
  unsubscribeUrl: string,
  listName: string,
  domain: string,
): Record<string, string> {
  return {
    'List-Unsubscribe': `<${unsubscribeUrl}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'List-Id': `<${listName}.${domain}>`,
    'Auto-Submitted': 'auto-generated',
  };
}
