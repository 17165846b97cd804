import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ConfigModule, type AppConfig } from '@allmende/core';
import { DatabaseModule, TenantScope } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import { QueuesModule } from '@allmende/jobs';
import { findOnPath, startRedisServer, type LocalRedis } from '@allmende/local-services';
import { DigestScheduler, MailRecipients, latestDigestPeriod } from '@allmende/notifications';
import { NewsPostSchema } from '@allmende/news';
import { recordOutboxEvent } from '@allmende/outbox';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { openOrm } from '../support/fixtures';
import { createMailCommunity, publishNews, type MailCommunity } from '../support/mail-community';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture';
import { testConfig } from '../support/test-config';
import { testRun } from '../support/test-run';
import { requireBuiltWorker, spawnWorker, until } from '../support/worker-process';

const PUBLIC_URL = 'http://portal.allmende.test';
let prefixes = 0;

function isolatedConfig(overrides: Record<string, string>): AppConfig {
  return testConfig({
    QUEUE_PREFIX: `${testRun().queuePrefix}-resil${++prefixes}`,
    PUBLIC_URL,
    MAIL_RATE_PER_SECOND: '1000',
    OUTBOX_POLL_MS: '100',
    ...overrides,
  });
}

function sentRows(
  community: MailCommunity,
  kind: string,
): Promise<{ email: string; message_id: string; period_key: string }[]> {
  return community.scope.run(community.tenant.id, (em) =>
    em.execute(
      `select m.email, d.message_id, d.period_key from mail_deliveries d join members m on m.id = d.member_id
        where d.kind = ? and d.status = 'sent' order by m.email, d.period_key`,
      [kind],
    ),
  );
}

describe('mail: exactly once', () => {
  let orm: MikroORM;
  let smtp: SmtpCapture;

  beforeAll(async () => {
    orm = await openOrm();
    smtp = await startSmtpCapture();
  });

  afterAll(async () => {
    await smtp?.stop();
    await orm?.close(true);
  });

  it('a worker killed with SIGKILL in the middle of a batch: after a restart every due member has exactly one digest', async () => {
    requireBuiltWorker();
    const config = isolatedConfig({ SMTP_URL: smtp.url });
    const members = Array.from({ length: 120 }, (_, index) => ({
      email: `m${String(index).padStart(3, '0')}.viele@example.org`,
    }));
    const community = await createMailCommunity(orm, 'Gemeinde Viele', members);
    const now = new Date();
    const period = latestDigestPeriod({ frequency: 'daily', hour: 7, weekday: 1 }, 'Europe/Berlin', now)!;
    await publishNews(community, community.groups.neuigkeiten, {
      title: 'Neues Feuerwehrauto',
      publishAt: new Date(period.dueAt.getTime() - 3_600_000),
    });

    // The scheduler runs here; the workers are separate processes.
    const scheduling = await (
      await Test.createTestingModule({
        imports: [
          ConfigModule.forRoot(config),
          DatabaseModule.forRoot({ url: config.DATABASE_URL, entities: ALL_ENTITIES, poolMax: 2 }),
          QueuesModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
        ],
        providers: [MailRecipients, DigestScheduler],
      }).compile()
    ).init();
    try {
      const first = spawnWorker(config, { PUBLIC_URL, OUTBOX_RELAY: 'off' });
      // Once 40 mails were accepted, the server stops answering (the next hand-offs hang in
      // the middle of SMTP) and the worker is killed: mid-batch, mid-hand-off.
      let killed = false;
      const ours = () => smtp.mails.filter((mail) => mail.to.endsWith('.viele@example.org'));
      smtp.onAccepted(() => {
        if (ours().length < 40 || killed) return;
        killed = true;
        smtp.hold();
        // Time for the accepted mails' ledger commits; the held ones stay uncommitted.
        setTimeout(() => first.child.kill('SIGKILL'), 500);
      });
      const result = await scheduling.get(DigestScheduler).run({ tenantId: community.tenant.id, now });
      expect(result).toMatchObject({ due: 120, batches: 3 });
      await first.exited;
      expect(first.child.signalCode).toBe('SIGKILL');
      const beforeRestart = ours().length;
      expect(beforeRestart).toBeGreaterThanOrEqual(40);
      expect(beforeRestart).toBeLessThan(120);
      // What the ledger says was sent is exactly what the server accepted.
      expect((await sentRows(community, 'digest')).length).toBe(beforeRestart);

      smtp.release();
      const second = spawnWorker(config, { PUBLIC_URL, OUTBOX_RELAY: 'off' });
      try {
        await until(async () => (await sentRows(community, 'digest')).length === 120, 60_000).catch(
          (error: Error) => {
            throw new Error(`${error.message}\nworker output:\n${second.output()}`);
          },
        );
        await until(async () => ours().length >= 120);
        // Nothing more arrives (no late duplicates).
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const received = ours();
        expect(received).toHaveLength(120);
        expect(new Set(received.map((mail) => mail.to)).size).toBe(120);
        const ledger = await sentRows(community, 'digest');
        expect(ledger.map((row) => row.email)).toEqual(members.map((member) => member.email));
        expect(ledger.every((row) => row.period_key === period.key)).toBe(true);
        const byRecipient = new Map(received.map((mail) => [mail.to, mail.messageId]));
        for (const row of ledger) expect(byRecipient.get(row.email)).toBe(row.message_id);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      await scheduling.close();
    }
  });
});

const redisServer = findOnPath('redis-server');
const describeWithRedisServer = redisServer ? describe : describe.skip;
if (!redisServer) {
  // Said where the skip is visible: the test needs a Redis of its own to stop and start.
  console.warn(
    'mail-resilience: "Redis stopped" test skipped: no redis-server on PATH (apt-get install redis-server)',
  );
}

describeWithRedisServer('mail: Redis down', () => {
  let orm: MikroORM;
  let smtp: SmtpCapture;
  let redis: LocalRedis | undefined;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    orm = await openOrm();
    smtp = await startSmtpCapture();
  });

  afterAll(async () => {
    await worker?.close();
    await redis?.stop();
    await smtp?.stop();
    await orm?.close(true);
  });

  it('an urgent post created while Redis is stopped reaches every member once when Redis is back', async () => {
    redis = await startRedisServer();
    const redisPort = Number(new URL(redis.url).port);
    const config = isolatedConfig({ SMTP_URL: smtp.url, REDIS_URL: redis.url, OUTBOX_RELAY: 'on' });
    worker = await (
      await Test.createTestingModule({ imports: [WorkerModule.forRoot(config)] }).compile()
    ).init();
    const community = await createMailCommunity(orm, 'Gemeinde Sturm', [
      { email: 'a.sturm@example.org' },
      { email: 'b.sturm@example.org', prefs: { urgentAlerts: false } },
      { email: 'c.sturm@example.org', prefs: { language: 'en' } },
    ]);

    await redis.stop();
    const post = await publishNews(community, community.groups.neuigkeiten, {
      title: 'Unwetterwarnung: Sturm',
      urgency: 'urgent',
      publishAt: new Date(),
    });
    // The relay keeps trying; the row stays unrelayed while Redis is away, nothing is sent.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const pending = () =>
      community.scope.run(community.tenant.id, (em) =>
        em.execute<{ n: string }[]>(`select count(*) as n from outbox_events where relayed_at is null`),
      );
    expect(Number((await pending())[0]!.n)).toBe(1);
    const ours = () => smtp.mails.filter((mail) => mail.to.endsWith('.sturm@example.org'));
    expect(ours()).toHaveLength(0);

    redis = await startRedisServer({ port: redisPort });
    await until(async () => ours().length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const alerts = ours();
    expect(alerts.map((mail) => mail.to).sort()).toEqual(['a.sturm@example.org', 'c.sturm@example.org']);
    expect(alerts.find((mail) => mail.to === 'a.sturm@example.org')!.subject).toContain(
      'Unwetterwarnung: Sturm',
    );
    expect((await sentRows(community, 'alert')).map((row) => [row.email, row.period_key])).toEqual([
      ['a.sturm@example.org', `alert.${post.id}`],
      ['c.sturm@example.org', `alert.${post.id}`],
    ]);

    // The all-clear goes to the same people.
    await community.scope.run(community.tenant.id, async (em) => {
      const saved = await em.findOneOrFail(NewsPostSchema, { id: post.id });
      saved.resolvedAt = new Date();
      saved.followUp = 'Der Sturm ist vorbei.';
      recordOutboxEvent(em, 'news.alert.resolved', {
        postId: post.id,
        groupId: community.groups.neuigkeiten.id,
        groupKey: 'neuigkeiten',
        resolvedAt: saved.resolvedAt.toISOString(),
      });
      await em.flush();
    });
    await until(async () => ours().length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(
      ours()
        .slice(2)
        .map((mail) => mail.to)
        .sort(),
    ).toEqual(['a.sturm@example.org', 'c.sturm@example.org']);
  });
});

describe('mail: digest time across daylight saving', () => {
  let orm: MikroORM;
  let scheduling: INestApplicationContext;

  beforeAll(async () => {
    orm = await openOrm();
    const config = isolatedConfig({});
    scheduling = await (
      await Test.createTestingModule({
        imports: [
          ConfigModule.forRoot(config),
          DatabaseModule.forRoot({ url: config.DATABASE_URL, entities: ALL_ENTITIES, poolMax: 2 }),
          QueuesModule.forRoot({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
        ],
        providers: [MailRecipients, DigestScheduler],
      }).compile()
    ).init();
  });

  afterAll(async () => {
    await scheduling?.close();
    await orm?.close(true);
  });

  it('a member due at 07:00 Europe/Berlin is due at 07:00 local on both sides of the change', async () => {
    const community = await createMailCommunity(orm, 'Gemeinde Sommerzeit', [
      { email: 'z.zeit@example.org', prefs: { hour: 7, timeZone: 'Europe/Berlin' } },
    ]);
    const scheduler = scheduling.get(DigestScheduler);
    const scope = scheduling.get(TenantScope);
    const dueAt = (iso: string) =>
      scope.run(community.tenant.id, () => scheduler.dueMembers(new Date(iso))).then((due) => due[0]);
    const deliver = (periodKey: string) =>
      community.scope.run(community.tenant.id, (em) =>
        em.execute(
          `insert into mail_deliveries (id, tenant_id, member_id, kind, period_key, status) values (gen_random_uuid(), ?, ?, 'digest', ?, 'sent')`,
          [community.tenant.id, community.members[0]!.id, periodKey],
        ),
      );
    // Saturday 2026-10-24, summer time: 07:00 CEST = 05:00Z.
    expect((await dueAt('2026-10-24T05:00:00Z'))?.periodKey).toBe('digest.daily.2026-10-24');
    await deliver('digest.daily.2026-10-24');
    // Sunday 2026-10-25, clocks went back: at 05:00Z (06:00 CET) nothing is due, at 06:00Z (07:00 CET) it is.
    expect(await dueAt('2026-10-25T05:00:00Z')).toBeUndefined();
    expect(await dueAt('2026-10-25T05:59:59Z')).toBeUndefined();
    expect(await dueAt('2026-10-25T06:00:00Z')).toEqual({
      memberId: community.members[0]!.id,
      periodKey: 'digest.daily.2026-10-25',
      frequency: 'daily',
      until: '2026-10-25T06:00:00.000Z',
    });
    await deliver('digest.daily.2026-10-25');
    // Spring: Sunday 2027-03-28, clocks went forward: 07:00 CEST = 05:00Z.
    await deliver('digest.daily.2027-03-27');
    expect(await dueAt('2027-03-28T04:59:59Z')).toBeUndefined();
    expect((await dueAt('2027-03-28T05:00:00Z'))?.until).toBe('2027-03-28T05:00:00.000Z');
  });
});
