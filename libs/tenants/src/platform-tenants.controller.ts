import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PlatformAdmin } from '@allmende/auth';
import { apiSchema } from '@allmende/core';
import { z } from 'zod';
import { TENANT_STATUSES } from './tenant.entity';
import { TenantsService } from './tenants.service';

const platformTenant = z.object({
  slug: z.string(),
  name: z.string(),
  kind: z.string(),
  status: z.enum(TENANT_STATUSES),
  template: z.string().nullable(),
  createdAt: z.string(),
});
type PlatformTenant = z.infer<typeof platformTenant>;

/** Operators' routes (realm role `platform_admin`): every tenant of the installation. */
@ApiTags('platform')
@ApiBearerAuth()
@Controller('api/platform/tenants')
export class PlatformTenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @PlatformAdmin()
  @Get()
  @ApiOperation({ summary: 'Every tenant, active or disabled (operators only)' })
  @ApiOkResponse({ schema: apiSchema(z.array(platformTenant)) })
  async list(): Promise<PlatformTenant[]> {
    return (await this.tenants.listAll()).map((tenant) => ({
      slug: tenant.slug,
      name: tenant.name,
      kind: tenant.kind,
      status: tenant.status,
      template: tenant.template ?? null,
      createdAt: tenant.createdAt.toISOString(),
    }));
  }
}
