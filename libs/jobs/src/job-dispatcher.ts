import { Inject, Injectable, Logger, type Type } from '@nestjs/common';
import { DiscoveryService, ModuleRef, Reflector } from '@nestjs/core';
import { UnrecoverableError, type Job } from 'bullmq';
import { TenantScope } from '@allmende/db';
import type { JobCatalog } from './catalog';
import { checkJobHandlers, type DiscoveredHandler } from './job-registry';
import { JOB_HANDLER_METADATA, type JobHandlerInstance } from './job-handler';

export const JOB_CATALOG = Symbol('JOB_CATALOG');

/** Job name → handler class, checked one to one against the catalog when it is built. */
export class JobHandlerMap {
  constructor(readonly classes: Map<string, Type<JobHandlerInstance>>) {}
}

/** Builds the handler map from the app's providers; throws (stopping the start) on a mismatch. */
export function discoverJobHandlers(
  catalog: JobCatalog,
  discovery: DiscoveryService,
  reflector: Reflector,
): JobHandlerMap {
  const found: (DiscoveredHandler & { metatype: Type<JobHandlerInstance> })[] = [];
  for (const wrapper of discovery.getProviders()) {
    // Class providers only: a factory provider's metatype is its factory function.
    if (typeof wrapper.metatype !== 'function' || wrapper.inject) continue;
    const metatype = wrapper.metatype as Type<JobHandlerInstance>;
    const jobName = reflector.get<string | undefined>(JOB_HANDLER_METADATA, metatype);
    if (jobName) found.push({ jobName, className: metatype.name, metatype });
  }
  checkJobHandlers(catalog, found);
  return new JobHandlerMap(new Map(found.map((handler) => [handler.jobName, handler.metatype])));
}

/**
 * Runs one job: validates its payload against the catalog, opens the tenant scope for
 * tenant jobs, and calls the job's handler. Bad payloads fail without retries.
 */
@Injectable()
export class JobDispatcher {
  private readonly logger = new Logger(JobDispatcher.name);

  constructor(
    @Inject(JOB_CATALOG) private readonly catalog: JobCatalog,
    private readonly handlers: JobHandlerMap,
    private readonly moduleRef: ModuleRef,
    private readonly tenantScope: TenantScope,
  ) {}

  async dispatch(job: Job): Promise<unknown> {
    const definition = this.catalog[job.name];
    const handlerClass = this.handlers.classes.get(job.name);
    if (!definition || !handlerClass) throw new UnrecoverableError(`unknown job "${job.name}"`);
    const parsed = definition.payload.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(
        `invalid payload for "${job.name}": ${parsed.error.issues[0]?.message ?? ''}`,
      );
    }
    const handler = this.moduleRef.get(handlerClass, { strict: false });
    this.logger.debug({ job: job.name, jobId: job.id }, 'job started');
    if (definition.scope === 'tenant') {
      const { tenantId } = parsed.data as { tenantId: string };
      return this.tenantScope.run(tenantId, () => handler.handle(parsed.data, job));
    }
    return handler.handle(parsed.data, job);
  }
}
