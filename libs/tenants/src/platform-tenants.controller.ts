import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PlatformAdmin } from '@allmende/auth';
import { TenantsService } from './tenants.service';

class PlatformTenant {
  slug!: string;
  name!: string;
  kind!: string;
  status!: string;
  template!: string | null;
  createdAt!: string;
}

/** Operators' routes (realm role `platform_admin`): every tenant of the installation. */
@ApiTags('platform')
@ApiBearerAuth()
@Controller('api/platform/tenants')
export class PlatformTenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @PlatformAdmin()
  @Get()
  @ApiOperation({ summary: 'Every tenant, active or disabled (operators only)' })
  @ApiOkResponse({ type: [PlatformTenant] })
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
