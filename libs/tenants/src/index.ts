export * from './tenant.entity';
export * from './tenants.service';
export * from './tenant-branding';
export * from './tenant-branding.service';
export * from './tenants.controller';
export * from './tenants.module';
