import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import { TenantBrandingService, themeCss } from '@allmende/tenants';

/** A year: the URLs carry the version, so a changed look gets a new URL. */
const VERSIONED = 'public, max-age=31536000, immutable';

/** The community's stylesheet (its accent colour) and its logo, for every page of its portal. */
@ApiExcludeController()
@Controller('t/:tenant')
export class PortalBrandingController {
  constructor(private readonly branding: TenantBrandingService) {}

  @Public()
  @Get('theme.css')
  theme(@Query('v') version: unknown, @Req() request: Request, @Res() response: Response): void {
    const tenant = this.tenantOf(request);
    response.setHeader('Cache-Control', this.cacheControl(version, tenant.brandingVersion));
    response.type('text/css').send(themeCss(tenant.accentColor));
  }

  @Public()
  @Get('logo')
  async logo(
    @Query('v') version: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const tenant = this.tenantOf(request);
    const logo = tenant.hasLogo ? await this.branding.logo(tenant.id) : null;
    if (!logo) throw ProblemException.notFound('This community has no logo.');
    response.setHeader('Cache-Control', this.cacheControl(version, tenant.brandingVersion));
    response.type(logo.mediaType).send(logo.bytes);
  }

  private tenantOf(request: Request) {
    // Looked up (active only) by the tenant middleware.
    if (!request.tenant) throw ProblemException.notFound('No such community.');
    return request.tenant;
  }

  /** Long-lived only for the current version's URL; any other is revalidated. */
  private cacheControl(requested: unknown, current: number | null): string {
    return typeof requested === 'string' && requested === String(current ?? 0) ? VERSIONED : 'no-cache';
  }
}
