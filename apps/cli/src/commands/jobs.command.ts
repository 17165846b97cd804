import { Command, InvalidArgumentError, Option } from 'commander';
import { Queue, type Job } from 'bullmq';
import { loadConfig } from '@allmende/core';
import { QUEUES, type QueueName } from '@allmende/jobs';
import { CliError, ExitCode, type Output } from '../output';

const QUEUE_NAMES = Object.values(QUEUES) as QueueName[];
/** How long the CLI waits for Redis before it gives up (a hung command helps nobody). */
const CONNECT_TIMEOUT_MS = 5_000;

/** A failed job as `jobs failed` shows it; `ref` (`<queue>:<id>`) is what `jobs retry` takes. */
export interface FailedJobView {
  ref: string;
  id: string;
  queue: QueueName;
  name: string;
  /** The tenant of a tenant job (from its payload); null for system jobs. */
  tenantId: string | null;
  attempts: number;
  failedReason: string;
  /** When it failed for the last time (ISO). */
  finishedOn: string | null;
}

/** `allmende jobs failed|retry`: the background jobs that gave up, and a second chance for them. */
export function jobsCommand(output: Output): Command {
  const jobs = new Command('jobs').description(
    'inspect failed background jobs (BullMQ queues) and retry them',
  );

  jobs
    .command('failed')
    .description('list failed jobs, newest first: where, what, for which tenant, how often tried, and why')
    .addOption(queueOption())
    .option('--limit <n>', 'at most this many jobs', positiveInteger, 50)
    .option('--json', 'print as JSON')
    .action(async (options: { queue?: QueueName; limit: number; json?: boolean }) => {
      const failed = await withQueues(options.queue ? [options.queue] : QUEUE_NAMES, (queues) =>
        failedJobs(queues, options.limit),
      );
      if (options.json) {
        output.out(JSON.stringify(failed, null, 2));
        return;
      }
      if (failed.length === 0) {
        output.out(options.queue ? `No failed jobs in queue ${options.queue}.` : 'No failed jobs.');
        return;
      }
      for (const job of failed) {
        const tenant = job.tenantId ? `  tenant ${job.tenantId}` : '';
        output.out(
          `${job.ref}  ${job.name}${tenant}  attempts ${job.attempts}  failed ${job.finishedOn ?? '-'}\n` +
            `    ${firstLine(job.failedReason)}`,
        );
      }
      output.out(
        `${failed.length} failed job${failed.length === 1 ? '' : 's'}; retry one with \`allmende jobs retry <queue>:<id>\`.`,
      );
    });

  jobs
    .command('retry <id>')
    .description(
      'put a failed job back on its queue (attempts start again); <id> is "<queue>:<id>" or an id to look for in every queue',
    )
    .addOption(queueOption())
    .action(async (reference: string, options: { queue?: QueueName }) => {
      const target = parseReference(reference, options.queue);
      const names = target.queue ? [target.queue] : QUEUE_NAMES;
      const retried = await withQueues(names, async (queues) => {
        const job = await findJob(queues, target.id);
        const state = await job.getState();
        if (state !== 'failed') {
          throw new CliError(`job ${refOf(job)} is ${state}, not failed: only failed jobs can be retried`);
        }
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return job;
      });
      output.out(`Retried ${refOf(retried)} (${retried.name}): it waits for a worker again.`);
    });

  return jobs;
}

function queueOption(): Option {
  return new Option('--queue <name>', 'only this queue').choices(QUEUE_NAMES);
}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('a whole number ≥ 1');
  return Number(value);
}

/** `mail:42` → queue mail, id 42; `42` → id 42 in the --queue, or in every queue. */
function parseReference(reference: string, queue: QueueName | undefined): { queue?: QueueName; id: string } {
  const colon = reference.indexOf(':');
  const prefix = colon > 0 ? reference.slice(0, colon) : undefined;
  if (prefix !== undefined && (QUEUE_NAMES as string[]).includes(prefix)) {
    if (queue && queue !== prefix) {
      throw new CliError(`"${reference}" names queue ${prefix}, but --queue says ${queue}`);
    }
    return { queue: prefix as QueueName, id: reference.slice(colon + 1) };
  }
  return { queue, id: reference };
}

/** The job with this id; ids count per queue, so an id in several queues must be told apart. */
async function findJob(queues: readonly Queue[], id: string): Promise<Job> {
  const found = (await Promise.all(queues.map((queue) => queue.getJob(id)))).filter(
    (job): job is Job => job !== undefined,
  );
  if (found.length === 0) {
    throw new CliError(
      `no job "${id}" in ${queues.length === 1 ? `queue ${queues[0]!.name}` : 'any queue'} (see \`allmende jobs failed\`)`,
      ExitCode.notFound,
    );
  }
  if (found.length > 1) {
    throw new CliError(
      `job id "${id}" is in several queues (${found.map(refOf).join(', ')}): say which, e.g. ${refOf(found[0]!)}`,
    );
  }
  return found[0]!;
}

async function failedJobs(queues: readonly Queue[], limit: number): Promise<FailedJobView[]> {
  // Each queue's newest `limit`, then the newest `limit` of them all.
  const perQueue = await Promise.all(queues.map((queue) => queue.getFailed(0, limit - 1)));
  return perQueue
    .flat()
    .filter((job): job is Job => job !== undefined && job !== null)
    .sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0))
    .slice(0, limit)
    .map(failedJobView);
}

function failedJobView(job: Job): FailedJobView {
  const data: unknown = job.data;
  const tenantId =
    typeof data === 'object' && data !== null && typeof (data as { tenantId?: unknown }).tenantId === 'string'
      ? (data as { tenantId: string }).tenantId
      : null;
  return {
    ref: refOf(job),
    id: job.id ?? '',
    queue: job.queueName as QueueName,
    name: job.name,
    tenantId,
    attempts: job.attemptsMade,
    failedReason: job.failedReason ?? '',
    finishedOn: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
  };
}

function refOf(job: Job): string {
  return `${job.queueName}:${job.id ?? ''}`;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

/**
 * Queues of this installation (REDIS_URL, QUEUE_PREFIX), open for `use` and closed after.
 * A Redis that does not answer is an error after a few seconds, not a hang.
 */
async function withQueues<T>(names: readonly QueueName[], use: (queues: Queue[]) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const queues = names.map(
    (name) =>
      new Queue(name, {
        // Fail fast: a command, not a server that waits for Redis to come back.
        connection: { url: config.REDIS_URL, maxRetriesPerRequest: 1, enableOfflineQueue: false },
        prefix: config.QUEUE_PREFIX,
      }),
  );
  // Without listeners, connection errors would go to the console as stack traces.
  for (const queue of queues) queue.on('error', () => undefined);
  try {
    await ready(queues, redacted(config.REDIS_URL));
    return await use(queues);
  } finally {
    await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
  }
}

async function ready(queues: readonly Queue[], where: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new CliError(`Redis at ${where} does not answer (REDIS_URL)`)),
      CONNECT_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([Promise.all(queues.map((queue) => queue.waitUntilReady())), timeout]);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(
      `Redis at ${where} is not reachable (REDIS_URL): ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** The URL without its password, for messages. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}
