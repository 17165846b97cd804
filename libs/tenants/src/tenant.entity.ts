import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { BaseSchema } from '@allmende/db';

export const TENANT_KINDS = ['municipality', 'church', 'sports_club', 'school', 'nonprofit'] as const;
export type TenantKind = (typeof TENANT_KINDS)[number];
/** When members get their digest unless they choose otherwise (from the tenant's template). */
export interface DigestDefaults {
  frequency: 'off' | 'daily' | 'weekly';
  hour: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

export const DEFAULT_DIGEST: DigestDefaults = { frequency: 'daily', hour: 7, weekday: 1 };

export const TENANT_STATUSES = ['active', 'suspended', 'archived'] as const;
export const LOCALES = ['de', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Lower-case letters, digits and inner hyphens: the tenant's part of every URL. */
export const TENANT_SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A community (municipality, parish, club, school, association). A global table: no tenant_id. */
export const TenantSchema = defineEntity({
  name: 'Tenant',
  tableName: 'tenants',
  extends: BaseSchema,
  properties: {
    slug: p.string().length(63).unique(),
    name: p.string().length(200),
    kind: p.enum(TENANT_KINDS),
    locale: p.enum(LOCALES).default('de'),
    timezone: p.string().length(64).default('Europe/Berlin'),
    status: p.enum(TENANT_STATUSES).default('active'),
    /** The template the tenant was created from (file name, or the path's file name). */
    template: p.string().length(63).nullable(),
    digestDefaults: p
      .json<DigestDefaults>()
      .onCreate(() => ({ ...DEFAULT_DIGEST }))
      .defaultRaw(`'${JSON.stringify(DEFAULT_DIGEST)}'::jsonb`),
    /** The portal's accent (`#rrggbb`, contrast checked: tenant-branding.ts); null: KERN's blue. */
    accentColor: p.string().length(7).nullable(),
    /** Logo or coat of arms (PNG, JPEG or WebP). Lazy: the per-request lookup never reads it. */
    logo: p.blob().lazy().nullable(),
    logoMediaType: p.string().length(32).nullable(),
    /** When accent or logo last changed: the version in their URLs, so caches may keep them. */
    brandingUpdatedAt: p.datetime().nullable(),
  },
});

export type Tenant = InferEntity<typeof TenantSchema>;
