import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@allmende/core';
import { TenantScope, tenantContext } from '@allmende/db';
import { PortalLinks, type MailCommunity, type MailRecipient } from '@allmende/mail';
import { DEFAULT_DIGEST, type DigestDefaults } from '@allmende/tenants';
import type { DigestFrequency } from './notification-preferences.entity';

const COMMUNITY_TTL_MS = 60_000;

/** A member and their preferences as RecipientRow (for queries that need more beside it). */
export const RECIPIENT_COLUMNS = `m.id, m.email, m.given_name, m.family_name,
  p.digest_frequency, p.digest_hour, p.digest_weekday, p.muted_group_ids,
  p.urgent_alerts, p.language, p.time_zone`;
export const RECIPIENT_FROM = 'from members m left join notification_preferences p on p.member_id = m.id';

/** What sending to a member needs: the recipient, and their preferences (or the community's defaults). */
export interface RecipientSettings {
  recipient: MailRecipient;
  digest: { frequency: DigestFrequency; hour: number; weekday: number };
  mutedGroupIds: string[];
  urgentAlerts: boolean;
}

/** The current community as mails show it, with what preferences fall back to. */
export interface MailCommunityInfo extends MailCommunity {
  timeZone: string;
  locale: 'de' | 'en';
  digestDefaults: DigestDefaults;
}

interface RecipientRow {
  id: string;
  email: string;
  given_name: string;
  family_name: string;
  digest_frequency: DigestFrequency | null;
  digest_hour: number | null;
  digest_weekday: number | null;
  muted_group_ids: string[] | null;
  urgent_alerts: boolean | null;
  language: 'de' | 'en' | null;
  time_zone: string | null;
}

/**
 * Members as mail recipients, inside the current tenant scope: one query for many members,
 * each with their saved preferences or the community's defaults (language, time zone,
 * digest time, alerts on). Used by digests, alerts and notices alike.
 */
@Injectable()
export class MailRecipients {
  readonly links: PortalLinks;

  constructor(
    private readonly scope: TenantScope,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.links = new PortalLinks(config.PUBLIC_URL);
  }

  /** Per tenant for a minute: every delivery needs it, and a renamed community may show its old name that long. */
  private readonly communities = new Map<string, { info: MailCommunityInfo; loadedAt: number }>();

  async community(): Promise<MailCommunityInfo> {
    const tenantId = tenantContext.requireTenantId();
    const cached = this.communities.get(tenantId);
    if (cached && Date.now() - cached.loadedAt < COMMUNITY_TTL_MS) return cached.info;
    const info = await this.loadCommunity();
    if (this.communities.size >= 1_000) this.communities.clear();
    this.communities.set(tenantId, { info, loadedAt: Date.now() });
    return info;
  }

  private async loadCommunity(): Promise<MailCommunityInfo> {
    const [tenant] = await this.scope.em().execute<
      {
        id: string;
        slug: string;
        name: string;
        timezone: string;
        locale: 'de' | 'en';
        digest_defaults: DigestDefaults | null;
      }[]
    >('select id, slug, name, timezone, locale, digest_defaults from tenants where id = ?', [tenantContext.requireTenantId()]);
    if (!tenant) throw new Error(`tenant ${tenantContext.requireTenantId()} not found`);
    return {
      id: tenant.id,
      slug: tenant.slug,
      name: tenant.name,
      portalUrl: this.links.community(tenant.slug),
      timeZone: tenant.timezone,
      locale: tenant.locale === 'en' ? 'en' : 'de',
      digestDefaults: { ...DEFAULT_DIGEST, ...(tenant.digest_defaults ?? {}) },
    };
  }

  /** The given members (absent from the map: unknown ids). */
  async load(
    memberIds: readonly string[],
    community?: MailCommunityInfo,
  ): Promise<Map<string, RecipientSettings>> {
    const result = new Map<string, RecipientSettings>();
    if (memberIds.length === 0) return result;
    const info = community ?? (await this.community());
    const rows = await this.scope
      .em()
      .execute<RecipientRow[]>(
        `select ${RECIPIENT_COLUMNS} ${RECIPIENT_FROM} where m.id = any(array[?]::uuid[])`,
        [memberIds],
      );
    for (const row of rows) result.set(row.id, toSettings(row, info));
    return result;
  }
}

/** A row (member plus optional preferences) with the community's defaults where nothing was chosen. */
export function toSettings(row: RecipientRow, community: MailCommunityInfo): RecipientSettings {
  const chosen = row.digest_frequency !== null;
  const defaults = community.digestDefaults;
  return {
    recipient: {
      memberId: row.id,
      name: [row.given_name, row.family_name].filter(Boolean).join(' '),
      email: row.email,
      language: row.language ?? community.locale,
      timeZone: row.time_zone ?? community.timeZone,
    },
    digest: chosen
      ? { frequency: row.digest_frequency!, hour: row.digest_hour!, weekday: row.digest_weekday! }
      : { frequency: defaults.frequency, hour: defaults.hour, weekday: defaults.weekday },
    mutedGroupIds: row.muted_group_ids ?? [],
    urgentAlerts: row.urgent_alerts ?? true,
  };
}

export type { RecipientRow };
