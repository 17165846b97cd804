import type { JobCatalog } from './catalog';

export interface DiscoveredHandler {
  jobName: string;
  className: string;
}

/** Thrown at worker start when the catalog and the handlers do not match one to one. */
export class JobRegistryError extends Error {
  constructor(readonly problems: string[]) {
    super(`Job handlers do not match the job catalog:\n${problems.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'JobRegistryError';
  }
}

/**
 * Checks that each job name of the catalog has exactly one handler and that no handler
 * claims a job the catalog does not know. Returns handler class names by job name.
 */
export function checkJobHandlers(catalog: JobCatalog, handlers: DiscoveredHandler[]): Map<string, string> {
  const byJob = new Map<string, string[]>();
  for (const handler of handlers) {
    byJob.set(handler.jobName, [...(byJob.get(handler.jobName) ?? []), handler.className]);
  }
  const problems: string[] = [];
  for (const jobName of Object.keys(catalog)) {
    const found = byJob.get(jobName) ?? [];
    if (found.length === 0) problems.push(`job "${jobName}" has no handler`);
    if (found.length > 1) problems.push(`job "${jobName}" has ${found.length} handlers: ${found.join(', ')}`);
  }
  for (const [jobName, classNames] of byJob) {
    if (!(jobName in catalog)) problems.push(`${classNames.join(', ')} handle(s) unknown job "${jobName}"`);
  }
  if (problems.length > 0) throw new JobRegistryError(problems);
  return new Map([...byJob].map(([jobName, classNames]) => [jobName, classNames[0]!]));
}
