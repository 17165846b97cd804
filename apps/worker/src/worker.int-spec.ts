import { Injectable, type INestApplicationContext, type Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getQueueToken } from '@nestjs/bullmq';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Job, Queue } from 'bullmq';
import { ConfigModule, type AppConfig } from '@allmende/core';
import { DatabaseModule, TenantScope } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import {
  JOBS,
  JobHandler,
  JobHandlerMap,
  JobHandlersModule,
  JobProducer,
  JobRegistryError,
  JobsWorkerModule,
  QueuesModule,
  RedisModule,
  tenantJobPayload,
  WorkerHeartbeat,
  type JobCatalog,
  type JobHandlerInstance,
} from '@allmende/jobs';
import { MemberSchema } from '@allmende/members';
import { openOrm, seedTenant } from '../../../test/support/fixtures';
import { testConfig } from '../../../test/support/test-config';
import { testRun } from '../../../test/support/test-run';
import { WorkerModule } from './worker.module';

let prefixes = 0;
/** Each worker under test gets its own queue prefix, so no worker takes another test's jobs. */
function isolatedConfig(): AppConfig {
  return testConfig({ QUEUE_PREFIX: `${testRun().queuePrefix}-w${++prefixes}` });
}

async function startWorker(
  providers: Provider[],
  catalog: JobCatalog = JOBS,
): Promise<INestApplicationContext> {
  const config = isolatedConfig();
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      DatabaseModule.forRoot({ url: config.DATABASE_URL, entities: ALL_ENTITIES, poolMax: 2 }),
      RedisModule.forRoot(config.REDIS_URL, config.QUEUE_PREFIX),
      QueuesModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
      JobsWorkerModule.forRoot({ catalog, concurrency: 2 }),
    ],
    providers,
  }).compile();
  return moduleRef.init();
}

async function until<T>(probe: () => Promise<T | null | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('worker', () => {
  it('starts the real worker module and runs the heartbeat job', async () => {
    const app = await (
      await Test.createTestingModule({ imports: [WorkerModule.forRoot(isolatedConfig())] }).compile()
    ).init();
    try {
      await app.get(JobProducer).enqueue('system.heartbeat', {});
      const seen: Date = await until(() => app.get(WorkerHeartbeat).lastSeen());
      expect(Date.now() - seen.getTime()).toBeLessThan(10_000);
    } finally {
      await app.close();
    }
  });

  describe('the handler registry refuses to start', () => {
    // Only the handler registry is built here: a real start that fails leaves its queue
    // connections behind in this process (a real worker process exits instead).
    // A catalog of the heartbeat alone, so the test does not change with every job the platform adds.
    const heartbeatOnly: JobCatalog = { 'system.heartbeat': JOBS['system.heartbeat'] };
    const compile = (providers: Provider[]) =>
      Test.createTestingModule({ imports: [JobHandlersModule.forRoot(heartbeatOnly)], providers }).compile();

    @Injectable()
    @JobHandler('system.heartbeat')
    class FirstHeartbeatHandler {
      handle() {
        return Promise.resolve();
      }
    }

    @Injectable()
    @JobHandler('system.heartbeat')
    class SecondHeartbeatHandler {
      handle() {
        return Promise.resolve();
      }
    }

    it('accepts one handler per job', async () => {
      const moduleRef = await compile([FirstHeartbeatHandler]);
      expect([...moduleRef.get(JobHandlerMap).classes.keys()]).toEqual(['system.heartbeat']);
      await moduleRef.close();
    });

    it('when a job has no handler', async () => {
      await expect(compile([])).rejects.toThrow(JobRegistryError);
      await expect(compile([])).rejects.toThrow('job "system.heartbeat" has no handler');
    });

    it('when a job has two handlers', async () => {
      await expect(compile([FirstHeartbeatHandler, SecondHeartbeatHandler])).rejects.toThrow(
        'job "system.heartbeat" has 2 handlers: FirstHeartbeatHandler, SecondHeartbeatHandler',
      );
    });
  });

  describe('tenant jobs', () => {
    const seen: { tenantId: string; members: number; memberTenants: string[] }[] = [];

    @Injectable()
    @JobHandler('test.count-members')
    class CountMembersHandler implements JobHandlerInstance<{ tenantId: string }> {
      constructor(private readonly scope: TenantScope) {}

      async handle(payload: { tenantId: string }): Promise<void> {
        const members = await this.scope.em().find(MemberSchema, {});
        seen.push({
          tenantId: payload.tenantId,
          members: members.length,
          memberTenants: members.map((m) => m.tenantId),
        });
      }
    }

    const catalog: JobCatalog = {
      'test.count-members': { queue: 'system', scope: 'tenant', payload: tenantJobPayload },
    };

    let orm: MikroORM;
    let app: INestApplicationContext;
    let queue: Queue;

    beforeAll(async () => {
      orm = await openOrm();
      app = await startWorker([CountMembersHandler], catalog);
      queue = app.get<Queue>(getQueueToken('system'));
    });

    afterAll(async () => {
      await app.close();
      await orm.close(true);
    });

    it("run inside the job's tenant scope and see only that tenant", async () => {
      const a = await seedTenant(orm, 'JobA');
      const b = await seedTenant(orm, 'JobB');
      await queue.add('test.count-members', { tenantId: a.tenant.id });
      await queue.add('test.count-members', { tenantId: b.tenant.id });
      await until(async () => seen.length >= 2);
      expect(seen).toEqual(
        expect.arrayContaining([
          { tenantId: a.tenant.id, members: 2, memberTenants: [a.tenant.id, a.tenant.id] },
          { tenantId: b.tenant.id, members: 2, memberTenants: [b.tenant.id, b.tenant.id] },
        ]),
      );
    });

    it('fail at once, without retries, when the payload is invalid', async () => {
      const job = await queue.add('test.count-members', { tenantId: 'not-a-uuid' }, { attempts: 5 });
      const failed = await until(async () => {
        const state = await job.getState();
        return state === 'failed' ? ((await queue.getJob(job.id!)) as Job) : null;
      });
      expect(failed.attemptsMade).toBe(1);
      expect(failed.failedReason).toMatch(/invalid payload for "test.count-members"/);
    });
  });

  describe('graceful shutdown', () => {
    it('lets an active job finish before closing', async () => {
      const events: string[] = [];
      @Injectable()
      @JobHandler('test.slow')
      class SlowHandler {
        async handle(): Promise<void> {
          events.push('started');
          await new Promise((resolve) => setTimeout(resolve, 300));
          events.push('finished');
        }
      }
      const app = await startWorker([SlowHandler], {
        'test.slow': { queue: 'system', scope: 'system', payload: tenantJobPayload.omit({ tenantId: true }) },
      });
      await app.get<Queue>(getQueueToken('system')).add('test.slow', {});
      await until(async () => events.includes('started'));
      await app.close();
      events.push('closed');
      expect(events).toEqual(['started', 'finished', 'closed']);
    });
  });
});
