import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ProblemException } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { TenantsService } from '@allmende/tenants';

/** `/api/tenants/:tenant/...` and `/t/:tenant/...`: the tenant comes from the URL, never a body. */
const TENANT_PATH = /^\/(?:api\/tenants|t)\/([^/?#]+)\/[^?#]*/;

export interface RequestTenant {
  id: string;
  slug: string;
  name: string;
  /** IANA zone the community's dates and times are shown in. */
  timezone: string;
  /** The portal's look: a checked `#rrggbb` or null (KERN's colours). */
  accentColor: string | null;
  hasLogo: boolean;
  /** When accent or logo last changed (ms), the version in their URLs; null: never set. */
  brandingVersion: number | null;
}

declare module 'express' {
  interface Request {
    tenant?: RequestTenant;
  }
}

/**
 * Resolves the tenant named in the URL and runs the rest of the request (guards, pipes,
 * handler) inside its tenant scope. An unknown or suspended tenant is a 404.
 */
@Injectable()
export class TenantScopeMiddleware implements NestMiddleware {
  constructor(
    private readonly tenants: TenantsService,
    private readonly scope: TenantScope,
  ) {}

  async use(request: Request, _response: Response, next: NextFunction): Promise<void> {
    const slug = TENANT_PATH.exec(request.originalUrl)?.[1];
    if (!slug) return next();
    const tenant = await this.tenants.findActiveBySlug(decodeURIComponent(slug));
    if (!tenant) throw ProblemException.notFound(`No tenant "${slug}".`);
    request.tenant = {
      id: tenant.id,
      slug: tenant.slug,
      name: tenant.name,
      timezone: tenant.timezone,
      accentColor: tenant.accentColor ?? null,
      hasLogo: tenant.logoMediaType != null,
      brandingVersion: tenant.brandingUpdatedAt?.getTime() ?? null,
    };
    this.scope.run(tenant.id, () => next());
  }
}
