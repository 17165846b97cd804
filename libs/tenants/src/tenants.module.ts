import { Module } from '@nestjs/common';
import { PlatformTenantsController } from './platform-tenants.controller';
import { TenantsController } from './tenants.controller';
import { TenantBrandingService } from './tenant-branding.service';
import { TenantsService } from './tenants.service';

@Module({
  controllers: [TenantsController, PlatformTenantsController],
  providers: [TenantsService, TenantBrandingService],
  exports: [TenantsService, TenantBrandingService],
})
export class TenantsModule {}
