export * from './tenant.entity';
export * from './tenants.service';
export * from './tenants.controller';
export * from './tenants.module';
