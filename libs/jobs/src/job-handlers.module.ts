import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, Reflector } from '@nestjs/core';
import type { JobCatalog } from './catalog';
import { discoverJobHandlers, JOB_CATALOG, JobHandlerMap } from './job-dispatcher';

/**
 * The catalog and its handler map. Building the map checks handlers against the catalog
 * one to one, so a worker with a missing or doubled handler fails while it starts.
 */
@Module({})
export class JobHandlersModule {
  static forRoot(catalog: JobCatalog): DynamicModule {
    return {
      module: JobHandlersModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: JOB_CATALOG, useValue: catalog },
        {
          provide: JobHandlerMap,
          inject: [DiscoveryService, Reflector],
          useFactory: (discovery: DiscoveryService, reflector: Reflector) =>
            discoverJobHandlers(catalog, discovery, reflector),
        },
      ],
      exports: [JOB_CATALOG, JobHandlerMap],
    };
  }
}
