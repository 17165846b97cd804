import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { MikroORM } from '@mikro-orm/postgresql';
import { latestDigestPeriod } from '@allmende/notifications';
import { openOrm } from '../../../../test/support/fixtures';
import {
  createMailCommunity,
  publishNews,
  type MailCommunity,
} from '../../../../test/support/mail-community';
import { testConfig } from '../../../../test/support/test-config';
import { CliError, ExitCode } from '../output';
import { buildProgram } from '../program';

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

describe('allmende digest (CLI)', () => {
  const config = testConfig();
  const prefix = `${config.QUEUE_PREFIX}-digest-cli-${randomUUID().slice(0, 8)}`;
  const variables = ['DATABASE_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'MAIL_TOKEN_SECRET', 'PUBLIC_URL'] as const;
  const saved = Object.fromEntries(variables.map((name) => [name, process.env[name]]));
  const now = new Date();
  const period = latestDigestPeriod({ frequency: 'daily', hour: 7, weekday: 1 }, 'Europe/Berlin', now)!;
  let orm: MikroORM;
  let community: MailCommunity;
  let work: string;

  beforeAll(async () => {
    Object.assign(process.env, {
      DATABASE_URL: config.DATABASE_URL,
      REDIS_URL: config.REDIS_URL,
      QUEUE_PREFIX: prefix,
      MAIL_TOKEN_SECRET: config.MAIL_TOKEN_SECRET,
      PUBLIC_URL: 'https://portal.allmende.test',
    });
    work = await mkdtemp(join(tmpdir(), 'allmende-digest-cli-'));
    orm = await openOrm();
    community = await createMailCommunity(orm, 'Gemeinde Vorschau', [
      { email: 'v.vorschau@example.org', prefs: { language: 'en' } },
      { email: 'o.vorschau@example.org', prefs: { frequency: 'off' } },
    ]);
    await publishNews(community, community.groups.neuigkeiten, {
      title: 'Neuer Spielplatz',
      publishAt: new Date(period.dueAt.getTime() - 60 * 60 * 1000),
    });
  });

  afterAll(async () => {
    for (const name of variables) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await orm?.close(true);
    await rm(work, { recursive: true, force: true });
  });

  it('previews a member’s digest without sending or recording it, and writes the HTML', async () => {
    const html = join(work, 'digest.html');
    const result = await run([
      'digest',
      'preview',
      community.tenant.slug,
      'V.Vorschau@example.org',
      '--html',
      html,
    ]);
    expect(result.error).toBeUndefined();
    expect(result.out).toContain(`Period: ${period.key}`);
    expect(result.out).toContain('Subject: ');
    expect(result.out).toContain('List-Unsubscribe: <https://portal.allmende.test/unsubscribe/');
    expect(result.out).toContain('Neuer Spielplatz');
    expect(await readFile(html, 'utf8')).toContain('lang="en"');
    const rows = await community.scope.run(community.tenant.id, (em) =>
      em.execute<{ n: string }[]>('select count(*) as n from mail_deliveries'),
    );
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('says so for a member without digests, and fails for unknown tenants and members', async () => {
    expect((await run(['digest', 'preview', community.tenant.slug, 'o.vorschau@example.org'])).out).toContain(
      'gets no digests',
    );
    const unknownTenant = await run(['digest', 'preview', 'gibt-es-nicht', 'v.vorschau@example.org']);
    expect(unknownTenant.error).toBeInstanceOf(CliError);
    expect((unknownTenant.error as CliError).exitCode).toBe(ExitCode.notFound);
    const unknownMember = await run(['digest', 'preview', community.tenant.slug, 'niemand@example.org']);
    expect((unknownMember.error as CliError).exitCode).toBe(ExitCode.notFound);
    expect((unknownMember.error as CliError).message).toContain('niemand@example.org');
  });

  it('runs the scheduler once for a tenant: the due members’ batch goes to the queue', async () => {
    const result = await run(['digest', 'run', '--tenant', community.tenant.slug]);
    expect(result.error).toBeUndefined();
    expect(result.out).toContain('Queued 1 digest(s) in 1 batch(es) over 1 tenant(s)');
    const queue = new Queue('notifications', { connection: { url: config.REDIS_URL }, prefix });
    try {
      const [batch] = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
      expect(batch?.name).toBe('notifications.digest-batch');
      expect(batch?.data).toMatchObject({
        tenantId: community.tenant.id,
        members: [{ periodKey: period.key }],
      });
    } finally {
      await queue.close();
    }
  });
});
