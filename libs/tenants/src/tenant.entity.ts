import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { BaseSchema } from '@allmende/db';

export const TENANT_KINDS = ['municipality', 'church', 'sports_club', 'school', 'nonprofit'] as const;
export type TenantKind = (typeof TENANT_KINDS)[number];
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
  },
});

export type Tenant = InferEntity<typeof TenantSchema>;
