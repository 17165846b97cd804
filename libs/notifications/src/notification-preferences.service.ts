import { Injectable } from '@nestjs/common';
import { ProblemException } from '@allmende/core';
import { TenantScope, tenantContext } from '@allmende/db';
import { GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { DEFAULT_DIGEST, TenantSchema, type DigestDefaults } from '@allmende/tenants';
import { NotificationPreferencesSchema, type DigestFrequency } from './notification-preferences.entity';

export interface PreferencesView {
  digest: { frequency: DigestFrequency; hour: number; weekday: number };
  mutedGroups: string[];
  urgentAlerts: boolean;
  language: 'de' | 'en';
  /** The member's own time zone for digest times; null: the community's. */
  timeZone: string | null;
  /** True while the member has not chosen: the tenant's defaults apply. */
  isDefault: boolean;
}

export type PreferencesInput = Omit<PreferencesView, 'isDefault' | 'timeZone'> & { timeZone?: string | null };

/** A member's notification preferences, with the tenant's defaults until they choose. */
@Injectable()
export class NotificationPreferencesService {
  constructor(private readonly scope: TenantScope) {}

  async get(memberId: string): Promise<PreferencesView> {
    const em = this.scope.em();
    const saved = await em.findOne(NotificationPreferencesSchema, { member: memberId });
    if (!saved) return this.defaults();
    const groups = await em.find(
      GroupSchema,
      { id: { $in: saved.mutedGroupIds } },
      { orderBy: { key: 'asc' } },
    );
    return {
      digest: { frequency: saved.digestFrequency, hour: saved.digestHour, weekday: saved.digestWeekday },
      mutedGroups: groups.map((group) => group.key),
      urgentAlerts: saved.urgentAlerts,
      language: saved.language,
      timeZone: saved.timeZone ?? null,
      isDefault: false,
    };
  }

  /** Replaces the member's preferences. Muted groups are named by key; unknown keys are a 400. */
  async put(memberId: string, input: PreferencesInput): Promise<PreferencesView> {
    await this.scope.em().transactional(async (em) => {
      const keys = [...new Set(input.mutedGroups.map((key) => key.toLowerCase()))];
      const groups = keys.length ? await em.find(GroupSchema, { key: { $in: keys } }) : [];
      const unknown = keys.filter((key) => !groups.some((group) => group.key === key));
      if (unknown.length > 0) {
        throw ProblemException.validation(
          unknown.map((key) => ({ path: 'mutedGroups', message: `no group "${key}" in this community` })),
        );
      }
      const values = {
        digestFrequency: input.digest.frequency,
        digestHour: input.digest.hour,
        digestWeekday: input.digest.weekday,
        mutedGroupIds: groups.map((group) => group.id).sort(),
        urgentAlerts: input.urgentAlerts,
        language: input.language,
        timeZone: input.timeZone ?? null,
      };
      const saved = await em.findOne(NotificationPreferencesSchema, { member: memberId });
      if (saved) em.assign(saved, values);
      else
        em.create(NotificationPreferencesSchema, {
          member: em.getReference(MemberSchema, memberId),
          ...values,
        });
      await em.flush();
    });
    return this.get(memberId);
  }

  /** The tenant's defaults (its template's digest defaults, its language, alerts on). */
  private async defaults(): Promise<PreferencesView> {
    const tenant = await this.scope.em().findOneOrFail(TenantSchema, { id: tenantContext.requireTenantId() });
    const digest: DigestDefaults = { ...DEFAULT_DIGEST, ...(tenant.digestDefaults ?? {}) };
    return {
      digest: { frequency: digest.frequency, hour: digest.hour, weekday: digest.weekday },
      mutedGroups: [],
      urgentAlerts: true,
      language: tenant.locale === 'en' ? 'en' : 'de',
      timeZone: null,
      isDefault: true,
    };
  }
}
