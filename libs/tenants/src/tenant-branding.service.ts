import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { TenantSchema } from './tenant.entity';
import { accentColorSchema, checkLogo, LogoRefused } from './tenant-branding';

/** What to change: a value sets it, null removes it, absent keeps it. */
export interface BrandingChange {
  accentColor?: string | null;
  /** The image file's bytes (PNG, JPEG or WebP). */
  logo?: Buffer | null;
}

/** A refused colour or logo, naming the field; nothing was changed. */
export class BrandingRefused extends Error {
  constructor(
    readonly field: 'accentColor' | 'logo',
    message: string,
  ) {
    super(message);
    this.name = 'BrandingRefused';
  }
}

/** The logo as the portal serves it. */
export interface TenantLogo {
  bytes: Buffer;
  mediaType: string;
  updatedAt: Date;
}

/**
 * A community's accent colour and logo (tenant-branding.ts checks them). `tenants` is a global
 * table, so no tenant scope is needed: callers pass the tenant's id (the CLI after looking up the
 * slug, the portal from the tenant middleware).
 */
@Injectable()
export class TenantBrandingService {
  constructor(private readonly orm: MikroORM) {}

  /** Checks everything first, then changes both in one update: refused input changes nothing. */
  async change(tenantId: string, change: BrandingChange): Promise<void> {
    const update: Record<string, unknown> = {};
    if (change.accentColor !== undefined) {
      update.accentColor = change.accentColor === null ? null : this.accent(change.accentColor);
    }
    if (change.logo !== undefined) {
      if (change.logo === null) Object.assign(update, { logo: null, logoMediaType: null });
      else Object.assign(update, { logo: change.logo, logoMediaType: await this.logoType(change.logo) });
    }
    if (Object.keys(update).length === 0) return;
    await this.orm.em
      .fork()
      .nativeUpdate(TenantSchema, { id: tenantId }, { ...update, brandingUpdatedAt: new Date() });
  }

  /** The tenant's logo, or null when it has none. */
  async logo(tenantId: string): Promise<TenantLogo | null> {
    const tenant = await this.orm.em.fork().findOne(TenantSchema, { id: tenantId }, { populate: ['logo'] });
    if (!tenant?.logo || !tenant.logoMediaType) return null;
    return {
      bytes: Buffer.from(tenant.logo),
      mediaType: tenant.logoMediaType,
      updatedAt: tenant.brandingUpdatedAt ?? tenant.updatedAt,
    };
  }

  private accent(value: string): string {
    const parsed = accentColorSchema.safeParse(value);
    if (!parsed.success)
      throw new BrandingRefused('accentColor', parsed.error.issues[0]?.message ?? 'Invalid colour.');
    return parsed.data;
  }

  private async logoType(bytes: Buffer): Promise<string> {
    try {
      return await checkLogo(bytes);
    } catch (error) {
      if (error instanceof LogoRefused) throw new BrandingRefused('logo', error.message);
      throw error;
    }
  }
}
