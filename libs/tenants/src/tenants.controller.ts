import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Public } from '@allmende/auth';
import { apiSchema, ProblemException } from '@allmende/core';
import { TenantsService } from './tenants.service';

const tenantInfo = z.object({
  slug: z.string(),
  name: z.string(),
  kind: z.string(),
  locale: z.string(),
  timezone: z.string(),
});

export interface TenantInfo {
  slug: string;
  name: string;
  kind: string;
  locale: string;
  timezone: string;
}

@ApiTags('tenants')
@Controller('api/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Public()
  @Get(':tenant')
  @ApiOperation({ summary: "A tenant's public profile" })
  @ApiOkResponse({
    description: 'name, kind, locale and time zone of the tenant',
    schema: apiSchema(tenantInfo),
  })
  async get(@Param('tenant') slug: string): Promise<TenantInfo> {
    const tenant = await this.tenants.findActiveBySlug(slug);
    if (!tenant) throw ProblemException.notFound(`No tenant "${slug}".`);
    return {
      slug: tenant.slug,
      name: tenant.name,
      kind: tenant.kind,
      locale: tenant.locale,
      timezone: tenant.timezone,
    };
  }
}
