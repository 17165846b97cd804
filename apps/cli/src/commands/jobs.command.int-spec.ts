import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { testConfig } from '../../../../test/support/test-config';
import { CliError, ExitCode } from '../output';
import { buildProgram } from '../program';
import type { FailedJobView } from './jobs.command';

interface Result {
  out: string;
  err: string;
  error?: unknown;
}

function run(args: string[]): Promise<Result> {
  let out = '';
  let err = '';
  const line = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);
  const program = buildProgram({ out: (text) => (out += line(text)), err: (text) => (err += line(text)) });
  return program.parseAsync(['node', 'allmende', ...args]).then(
    () => ({ out, err }),
    (error: unknown) => ({ out, err, error }),
  );
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('allmende jobs (CLI)', () => {
  const config = testConfig();
  // A prefix of its own: other tests' failed jobs never show up here, ours nowhere else.
  const prefix = `${config.QUEUE_PREFIX}-jobs-cli-${randomUUID().slice(0, 8)}`;
  const saved = {
    REDIS_URL: process.env.REDIS_URL,
    QUEUE_PREFIX: process.env.QUEUE_PREFIX,
    DATABASE_URL: process.env.DATABASE_URL,
  };
  const tenantId = randomUUID();
  const connection = { url: config.REDIS_URL, maxRetriesPerRequest: null };
  let mail: Queue;
  let system: Queue;
  let workers: Worker[] = [];
  /** Mail jobs fail until this is set: a broken SMTP server that comes back. */
  let smtpBack = false;
  const delivered: string[] = [];
  let mailJob: Job;
  let systemJob: Job;
  let doneJob: Job;

  beforeAll(async () => {
    process.env.REDIS_URL = config.REDIS_URL;
    process.env.QUEUE_PREFIX = prefix;
    process.env.DATABASE_URL = config.DATABASE_URL;
    mail = new Queue('mail', { connection, prefix });
    system = new Queue('system', { connection, prefix });
    workers = [
      new Worker(
        'mail',
        async (job) => {
          if (!smtpBack) throw new Error('SMTP 451 4.3.0 try again later\n(details)');
          delivered.push(job.id!);
        },
        { connection, prefix },
      ),
      new Worker(
        'system',
        async (job) => {
          if (job.name === 'system.broken') throw new Error('the system job broke');
        },
        { connection, prefix },
      ),
    ];
    mailJob = await mail.add(
      'mail.deliver',
      {
        tenantId,
        memberId: randomUUID(),
        kind: 'notice',
        periodKey: 'notice:1',
        outboxEventId: randomUUID(),
      },
      { attempts: 2, backoff: { type: 'fixed', delay: 10 } },
    );
    systemJob = await system.add('system.broken', {}, { attempts: 1 });
    doneJob = await system.add('system.fine', {}, { attempts: 1 });
    await until('the jobs to settle', async () => {
      const states = await Promise.all([mailJob, systemJob, doneJob].map((job) => job.getState()));
      return states.join() === 'failed,failed,completed' ? true : undefined;
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    for (const queue of [mail, system]) {
      await queue?.obliterate({ force: true }).catch(() => undefined);
      await queue?.close();
    }
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('lists the failed jobs of every queue, with tenant, attempts and reason', async () => {
    const { out, error } = await run(['jobs', 'failed', '--json']);
    expect(error).toBeUndefined();
    const failed = JSON.parse(out) as FailedJobView[];
    expect(failed).toHaveLength(2);
    expect(failed).toEqual(
      expect.arrayContaining([
        {
          ref: `mail:${mailJob.id}`,
          id: mailJob.id,
          queue: 'mail',
          name: 'mail.deliver',
          tenantId,
          attempts: 2,
          failedReason: 'SMTP 451 4.3.0 try again later\n(details)',
          finishedOn: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
        expect.objectContaining({
          ref: `system:${systemJob.id}`,
          name: 'system.broken',
          tenantId: null,
          attempts: 1,
          failedReason: 'the system job broke',
        }),
      ]),
    );

    const text = await run(['jobs', 'failed']);
    expect(text.out).toContain(`mail:${mailJob.id}  mail.deliver  tenant ${tenantId}  attempts 2  failed `);
    expect(text.out).toContain('    SMTP 451 4.3.0 try again later\n');
    expect(text.out).not.toContain('(details)');
    expect(text.out).toContain('2 failed jobs');
  });

  it('filters by queue and limits', async () => {
    const onlyMail = JSON.parse(
      (await run(['jobs', 'failed', '--queue', 'mail', '--json'])).out,
    ) as FailedJobView[];
    expect(onlyMail.map((job) => job.ref)).toEqual([`mail:${mailJob.id}`]);
    const one = JSON.parse((await run(['jobs', 'failed', '--limit', '1', '--json'])).out) as FailedJobView[];
    expect(one).toHaveLength(1);
    expect((await run(['jobs', 'failed', '--queue', 'notifications'])).out).toBe(
      'No failed jobs in queue notifications.\n',
    );
    const bad = await run(['jobs', 'failed', '--limit', '0']);
    expect(bad.err).toMatch(/a whole number/);
  });

  it('says so for an unknown job (exit code 4)', async () => {
    const { error } = await run(['jobs', 'retry', 'mail:999999']);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.notFound);
    expect((error as CliError).message).toMatch(/no job "999999" in queue mail/);
    const anywhere = await run(['jobs', 'retry', 'nope-42']);
    expect((anywhere.error as CliError).exitCode).toBe(ExitCode.notFound);
  });

  it('refuses to retry a job that did not fail', async () => {
    const { error } = await run(['jobs', 'retry', `system:${doneJob.id}`]);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.error);
    expect((error as CliError).message).toMatch(/is completed, not failed/);
  });

  it('asks which queue when an id is in several', async () => {
    // Ids count per queue: the first job of each queue is "1".
    expect(mailJob.id).toBe(systemJob.id);
    const { error } = await run(['jobs', 'retry', mailJob.id!]);
    expect((error as CliError).message).toMatch(/in several queues/);
    const conflicting = await run(['jobs', 'retry', `mail:${mailJob.id}`, '--queue', 'system']);
    expect((conflicting.error as CliError).message).toMatch(/--queue says system/);
  });

  it('stops with an error when Redis does not answer', async () => {
    const started = Date.now();
    process.env.REDIS_URL = 'redis://:secret@127.0.0.1:1';
    try {
      const { error } = await run(['jobs', 'failed']);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).message).toMatch(/^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 /);
      expect((error as CliError).message).not.toContain('secret');
    } finally {
      process.env.REDIS_URL = config.REDIS_URL;
    }
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('retries a failed job, which a worker then processes', async () => {
    smtpBack = true;
    const { out, error } = await run(['jobs', 'retry', mailJob.id!, '--queue', 'mail']);
    expect(error).toBeUndefined();
    expect(out).toBe(`Retried mail:${mailJob.id} (mail.deliver): it waits for a worker again.\n`);
    await until('the retried job to complete', async () =>
      (await mail.getJob(mailJob.id!))?.finishedOn && (await mailJob.getState()) === 'completed'
        ? true
        : undefined,
    );
    expect(delivered).toEqual([mailJob.id]);
    const failed = JSON.parse((await run(['jobs', 'failed', '--json'])).out) as FailedJobView[];
    expect(failed.map((job) => job.ref)).toEqual([`system:${systemJob.id}`]);
  });
});
