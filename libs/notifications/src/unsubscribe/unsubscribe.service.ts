import { Inject, Injectable, Logger } from '@nestjs/common';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEventSchema } from '@allmende/audit';
import { APP_CONFIG, type AppConfig } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { PortalLinks, UnsubscribeTokens, type UnsubscribeClaim, type UnsubscribeList } from '@allmende/mail';
import { MemberSchema } from '@allmende/members';
import { DEFAULT_DIGEST, TenantSchema } from '@allmende/tenants';
import { NotificationPreferencesSchema } from '../notification-preferences.entity';

/** What an unsubscribe link leads to. */
export type UnsubscribeOutcome =
  /** Not a token we signed (forged, altered, cut off): nothing changes. */
  | { kind: 'invalid' }
  /** This installation has no MAIL_TOKEN_SECRET, so it cannot check any token. */
  | { kind: 'unavailable' }
  /** A genuine token of a member (or community) that no longer exists. */
  | { kind: 'unknown-member'; language: 'de' | 'en' | null }
  | {
      kind: 'found';
      list: UnsubscribeList;
      community: { name: string; slug: string };
      /** The member's chosen language, else the community's. */
      language: 'de' | 'en';
      preferencesUrl: string;
      /** POST only: false when the list was already off (a repeated click). */
      changed: boolean;
    };

/**
 * Unsubscribing by link, without signing in (RFC 8058 one-click): the signed token names
 * tenant, member and list, and is the only credential. Looking (GET) changes nothing;
 * unsubscribing (POST) switches the list off in the member's preferences, inside the
 * token's tenant scope, and is idempotent.
 */
@Injectable()
export class UnsubscribeService {
  private readonly logger = new Logger(UnsubscribeService.name);
  private readonly tokens: UnsubscribeTokens | null;
  private readonly links: PortalLinks;

  constructor(
    private readonly scope: TenantScope,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.tokens = config.MAIL_TOKEN_SECRET ? new UnsubscribeTokens(config.MAIL_TOKEN_SECRET) : null;
    if (!this.tokens) this.logger.warn('MAIL_TOKEN_SECRET is not set: unsubscribe links cannot be checked');
    this.links = new PortalLinks(config.PUBLIC_URL);
  }

  /** What the link would switch off, for the confirmation page. Writes nothing. */
  async preview(token: string): Promise<UnsubscribeOutcome> {
    const claim = this.verify(token);
    if ('kind' in claim) return claim;
    return this.scope.run(claim.tenantId, (em) => this.inspect(em, claim, false));
  }

  /** Switches the list off (digest frequency `off`, or urgent alerts off); a repeated call changes nothing. */
  async unsubscribe(token: string): Promise<UnsubscribeOutcome> {
    const claim = this.verify(token);
    if ('kind' in claim) return claim;
    try {
      return await this.switchOff(claim);
    } catch (error) {
      // Two clicks at once on a member without preferences: both insert, one loses. Its retry finds the row.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      return this.switchOff(claim);
    }
  }

  private verify(token: string): UnsubscribeClaim | { kind: 'invalid' } | { kind: 'unavailable' } {
    if (!this.tokens) return { kind: 'unavailable' };
    return this.tokens.verify(token) ?? { kind: 'invalid' };
  }

  private switchOff(claim: UnsubscribeClaim): Promise<UnsubscribeOutcome> {
    return this.scope.run(claim.tenantId, (scoped) =>
      scoped.transactional((em) => this.inspect(em as EntityManager, claim, true)),
    );
  }

  /** Loads community, member and preferences; with `write`, switches the list off. */
  private async inspect(
    em: EntityManager,
    claim: UnsubscribeClaim,
    write: boolean,
  ): Promise<UnsubscribeOutcome> {
    const tenant = await em.findOne(TenantSchema, { id: claim.tenantId });
    if (!tenant) return { kind: 'unknown-member', language: null };
    const communityLanguage = tenant.locale === 'en' ? 'en' : 'de';
    const member = await em.findOne(MemberSchema, { id: claim.memberId });
    if (!member) return { kind: 'unknown-member', language: communityLanguage };
    // Writing: lock the row, so that two clicks at once record one change, not two.
    let saved = await em.findOne(
      NotificationPreferencesSchema,
      { member: claim.memberId },
      write ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
    );
    let changed = false;
    if (write) {
      if (!saved) {
        // The member never chose: start from what applied to them, the community's defaults.
        const digest = { ...DEFAULT_DIGEST, ...(tenant.digestDefaults ?? {}) };
        saved = em.create(NotificationPreferencesSchema, {
          member: em.getReference(MemberSchema, claim.memberId),
          digestFrequency: digest.frequency,
          digestHour: digest.hour,
          digestWeekday: digest.weekday,
          mutedGroupIds: [],
          urgentAlerts: true,
          language: communityLanguage,
          timeZone: null,
        });
      }
      const before = claim.list === 'digest' ? saved.digestFrequency : saved.urgentAlerts;
      if (claim.list === 'digest') saved.digestFrequency = 'off';
      else saved.urgentAlerts = false;
      changed = before !== (claim.list === 'digest' ? 'off' : false);
      if (changed) {
        em.create(AuditEventSchema, {
          // Nobody is signed in: the member acted through the link of their own mail.
          actorUserId: null,
          actorMemberId: claim.memberId,
          action: 'notifications.unsubscribed',
          entityType: 'member',
          entityId: claim.memberId,
          details: { list: claim.list, via: 'unsubscribe-link', before },
        });
      }
      await em.flush();
    }
    return {
      kind: 'found',
      list: claim.list,
      community: { name: tenant.name, slug: tenant.slug },
      language: saved?.language ?? communityLanguage,
      preferencesUrl: this.links.preferences(tenant.slug),
      changed,
    };
  }
}
