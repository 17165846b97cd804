import { z } from 'zod';
import { checkJobHandlers, JobRegistryError } from './job-registry';
import type { JobCatalog } from './catalog';

const catalog: JobCatalog = {
  'digest.send': { queue: 'system', scope: 'tenant', payload: z.strictObject({ tenantId: z.uuid() }) },
  'system.heartbeat': { queue: 'system', scope: 'system', payload: z.strictObject({}) },
};

function problems(handlers: { jobName: string; className: string }[]): string[] {
  try {
    checkJobHandlers(catalog, handlers);
    return [];
  } catch (error) {
    if (error instanceof JobRegistryError) return error.problems;
    throw error;
  }
}

describe('checkJobHandlers', () => {
  it('accepts exactly one handler per job', () => {
    const map = checkJobHandlers(catalog, [
      { jobName: 'digest.send', className: 'DigestHandler' },
      { jobName: 'system.heartbeat', className: 'HeartbeatHandler' },
    ]);
    expect([...map]).toEqual([
      ['digest.send', 'DigestHandler'],
      ['system.heartbeat', 'HeartbeatHandler'],
    ]);
  });

  it('refuses a job without handler', () => {
    expect(problems([{ jobName: 'system.heartbeat', className: 'HeartbeatHandler' }])).toEqual([
      'job "digest.send" has no handler',
    ]);
  });

  it('refuses two handlers for one job', () => {
    expect(
      problems([
        { jobName: 'digest.send', className: 'DigestHandler' },
        { jobName: 'digest.send', className: 'OtherDigestHandler' },
        { jobName: 'system.heartbeat', className: 'HeartbeatHandler' },
      ]),
    ).toEqual(['job "digest.send" has 2 handlers: DigestHandler, OtherDigestHandler']);
  });

  it('refuses a handler for a job the catalog does not know', () => {
    expect(
      problems([
        { jobName: 'digest.send', className: 'DigestHandler' },
        { jobName: 'system.heartbeat', className: 'HeartbeatHandler' },
        { jobName: 'digest.sned', className: 'TypoHandler' },
      ]),
    ).toEqual(['TypoHandler handle(s) unknown job "digest.sned"']);
  });
});
