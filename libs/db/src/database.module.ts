import { Global, Module, type DynamicModule } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { createOrmOptions, type OrmOptionsInput } from './orm-options';
import { TenantScope } from './tenancy/tenant-scope';

/** MikroORM for a Nest app (connected as the app role) and the tenant scope. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(input: OrmOptionsInput): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [MikroOrmModule.forRoot({ ...createOrmOptions(input), registerRequestContext: false })],
      providers: [TenantScope],
      exports: [TenantScope],
    };
  }
}
