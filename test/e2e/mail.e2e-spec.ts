import { Test } from '@nestjs/testing';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { freePort } from '@allmende/local-services';
import { DigestScheduler, latestDigestPeriod } from '@allmende/notifications';
import type { AppConfig } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { openOrm } from '../support/fixtures';
import { createMailCommunity, publishNews, type MailCommunity } from '../support/mail-community';
import { startSmtpCapture, type AcceptedMail, type SmtpCapture } from '../support/smtp-capture';
import { testConfig } from '../support/test-config';
import { testRun } from '../support/test-run';

const PUBLIC_URL = 'http://portal.allmende.test';
let prefixes = 0;

function workerConfig(smtp: SmtpCapture, overrides: Record<string, string> = {}): AppConfig {
  return testConfig({
    QUEUE_PREFIX: `${testRun().queuePrefix}-mail${++prefixes}`,
    SMTP_URL: smtp.url,
    PUBLIC_URL,
    MAIL_RATE_PER_SECOND: '1000',
    OUTBOX_POLL_MS: '100',
    ...overrides,
  });
}

async function startWorker(config: AppConfig): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({ imports: [WorkerModule.forRoot(config)] }).compile();
  return moduleRef.init();
}

async function until<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface LedgerRow {
  email: string;
  kind: string;
  period_key: string;
  status: string;
  message_id: string | null;
}

function ledger(community: MailCommunity): Promise<LedgerRow[]> {
  return community.scope.run(community.tenant.id, (em) =>
    em.execute<LedgerRow[]>(
      `select m.email, d.kind, d.period_key, d.status, d.message_id
         from mail_deliveries d join members m on m.id = d.member_id order by m.email, d.period_key`,
    ),
  );
}

function mailTo(mails: AcceptedMail[], email: string): AcceptedMail[] {
  return mails.filter((mail) => mail.to === email);
}

describe('mail: digests', () => {
  let orm: MikroORM;
  let smtp: SmtpCapture;
  let worker: INestApplicationContext;
  let api: INestApplication;
  let apiBase: string;
  const now = new Date();
  // The period due now at 07:00 Europe/Berlin; the content lies inside its window.
  const period = latestDigestPeriod({ frequency: 'daily', hour: 7, weekday: 1 }, 'Europe/Berlin', now)!;
  const inWindow = new Date(period.dueAt.getTime() - 60 * 60 * 1000);
  let dorf: MailCommunity;
  let nachbar: MailCommunity;
  let ruhig: MailCommunity;

  beforeAll(async () => {
    orm = await openOrm();
    smtp = await startSmtpCapture();
    const config = workerConfig(smtp);
    worker = await startWorker(config);
    const port = await freePort();
    apiBase = `http://127.0.0.1:${port}`;
    api = await createApiApp(testConfig({ PUBLIC_URL }));
    await api.listen(port, '127.0.0.1');

    dorf = await createMailCommunity(orm, 'Ortsgemeinde Dorf', [
      { email: 'anna.dorf@example.org', prefs: { language: 'de' } },
      { email: 'bob.dorf@example.org', prefs: { language: 'en', mutedGroupKeys: ['verein'] } },
      { email: 'carl.dorf@example.org' },
    ]);
    nachbar = await createMailCommunity(orm, 'Nachbargemeinde', [{ email: 'nina.nachbar@example.org' }]);
    ruhig = await createMailCommunity(orm, 'Stille Gemeinde', [{ email: 'rita.ruhig@example.org' }]);
    await publishNews(dorf, dorf.groups.neuigkeiten, {
      title: 'Straßenfest am Samstag',
      publishAt: inWindow,
    });
    await publishNews(dorf, dorf.groups.neuigkeiten, {
      title: 'Wasserrohrbruch in der Hauptstraße',
      urgency: 'important',
      pinned: true,
      publishAt: inWindow,
    });
    await publishNews(dorf, dorf.groups.verein, { title: 'Jahreshauptversammlung', publishAt: inWindow });
    await publishNews(nachbar, nachbar.groups.neuigkeiten, {
      title: 'Geheimnis der Nachbarn',
      publishAt: inWindow,
    });
    // After the due time: belongs to the next digest, not this one.
    await publishNews(dorf, dorf.groups.neuigkeiten, {
      title: 'Nach dem Stichtag',
      publishAt: new Date(Math.min(now.getTime(), period.dueAt.getTime() + 1000)),
    });

    const scheduler = worker.get(DigestScheduler);
    for (const community of [dorf, nachbar, ruhig])
      await scheduler.run({ tenantId: community.tenant.id, now });
    await until(async () => (await ledger(dorf)).filter((row) => row.kind === 'digest').length === 3 && true);
    await until(async () => (await ledger(ruhig)).length === 1 && true);
    await until(async () => (await ledger(nachbar)).length === 1 && true);
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await smtp?.stop();
    await orm?.close(true);
  });

  it('sends a German digest with the sections in order and both unsubscribe headers', () => {
    const [mail] = mailTo(smtp.mails, 'anna.dorf@example.org');
    expect(mail).toBeDefined();
    expect(mail!.subject).toContain('Ortsgemeinde Dorf');
    for (const body of [mail!.html, mail!.text]) {
      expect(body).toContain('Wasserrohrbruch in der Hauptstraße');
      expect(body).toContain('Straßenfest am Samstag');
      expect(body).toContain('Jahreshauptversammlung');
      // Pinned first.
      expect(body.indexOf('Wasserrohrbruch')).toBeLessThan(body.indexOf('Straßenfest'));
      expect(body).not.toContain('Nach dem Stichtag');
      expect(body).not.toContain('Geheimnis der Nachbarn');
    }
    expect(mail!.headers.get('list-unsubscribe')).toMatch(
      new RegExp(`^<${PUBLIC_URL}/unsubscribe/[A-Za-z0-9_.-]+>$`),
    );
    expect(mail!.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    // The visible link is the same as the header's.
    const link = mail!.headers.get('list-unsubscribe')!.slice(1, -1);
    expect(mail!.html).toContain(link);
    expect(mail!.text).toContain(link);
  });

  it('sends an English digest to who chose English, without the groups they muted', () => {
    const [mail] = mailTo(smtp.mails, 'bob.dorf@example.org');
    expect(mail).toBeDefined();
    expect(mail!.parsed.headers.get('content-language') ?? mail!.html).toBeTruthy();
    expect(mail!.subject).toMatch(/new|News/i);
    expect(mail!.html).toContain('lang="en"');
    expect(mail!.html).toContain('Straßenfest am Samstag');
    expect(mail!.html).not.toContain('Jahreshauptversammlung');
    expect(mail!.text).not.toContain('Jahreshauptversammlung');
  });

  it('gives members without preferences the community defaults (German) and one digest each', async () => {
    const [mail] = mailTo(smtp.mails, 'carl.dorf@example.org');
    expect(mail!.html).toContain('lang="de"');
    const rows = (await ledger(dorf)).filter((row) => row.kind === 'digest');
    expect(rows.map((row) => [row.email, row.period_key, row.status])).toEqual([
      ['anna.dorf@example.org', period.key, 'sent'],
      ['bob.dorf@example.org', period.key, 'sent'],
      ['carl.dorf@example.org', period.key, 'sent'],
    ]);
    // The ledger's Message-ID is the mail's.
    for (const row of rows)
      expect(mailTo(smtp.mails, row.email).map((mail) => mail.messageId)).toEqual([row.message_id]);
  });

  it('keeps communities apart', () => {
    const [mail] = mailTo(smtp.mails, 'nina.nachbar@example.org');
    expect(mail!.html).toContain('Geheimnis der Nachbarn');
    expect(mail!.html).not.toContain('Straßenfest');
  });

  it('sends no mail when nothing is new, and records that', async () => {
    expect(mailTo(smtp.mails, 'rita.ruhig@example.org')).toEqual([]);
    expect((await ledger(ruhig)).map((row) => [row.period_key, row.status])).toEqual([[period.key, 'empty']]);
  });

  it('schedules nobody twice for the same period', async () => {
    const scheduler = worker.get(DigestScheduler);
    const again = await scheduler.run({ tenantId: dorf.tenant.id, now });
    expect(again.due).toBe(0);
  });

  it('unsubscribes with one POST (RFC 8058), and a GET changes nothing', async () => {
    const [mail] = mailTo(smtp.mails, 'anna.dorf@example.org');
    const link = mail!.headers.get('list-unsubscribe')!.slice(1, -1).replace(PUBLIC_URL, apiBase);
    const frequency = () =>
      dorf.scope.run(dorf.tenant.id, async (em) => {
        const [row] = await em.execute<{ digest_frequency: string }[]>(
          `select p.digest_frequency from notification_preferences p join members m on m.id = p.member_id
            where m.email = 'anna.dorf@example.org'`,
        );
        return row?.digest_frequency;
      });
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form');
    expect(await frequency()).toBe('daily');

    const oneClick = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await frequency()).toBe('off');
    // The next period: Anna is not due any more.
    const tomorrow = new Date(period.dueAt.getTime() + 24 * 60 * 60 * 1000 + 1000);
    const due = await worker
      .get(TenantScope)
      .run(dorf.tenant.id, () => worker.get(DigestScheduler).dueMembers(tomorrow));
    expect(due.map((entry) => entry.memberId).sort()).toEqual(
      [dorf.members[1]!.id, dorf.members[2]!.id].sort(),
    );
    // Unsubscribing twice is fine; a forged token is refused and changes nothing.
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${link}x`, { method: 'POST' })).status).toBe(400);
  });
});

describe('mail: SMTP trouble and the rate limit', () => {
  let orm: MikroORM;
  let smtp: SmtpCapture;
  let worker: INestApplicationContext;
  const now = new Date();
  const period = latestDigestPeriod({ frequency: 'daily', hour: 7, weekday: 1 }, 'Europe/Berlin', now)!;
  const inWindow = new Date(period.dueAt.getTime() - 60 * 60 * 1000);

  beforeAll(async () => {
    orm = await openOrm();
    smtp = await startSmtpCapture();
    worker = await startWorker(workerConfig(smtp, { MAIL_RETRY_BASE_MS: '200', MAIL_RATE_PER_SECOND: '5' }));
  });

  afterAll(async () => {
    await worker?.close();
    await smtp?.stop();
    await orm?.close(true);
  });

  async function communityWithNews(name: string, emails: string[]): Promise<MailCommunity> {
    const community = await createMailCommunity(
      orm,
      name,
      emails.map((email) => ({ email })),
    );
    await publishNews(community, community.groups.neuigkeiten, {
      title: `Neues aus ${name}`,
      publishAt: inWindow,
    });
    return community;
  }

  const ours = (domain: string) => smtp.mails.filter((mail) => mail.to.endsWith(domain));

  it('retries a temporary refusal (4xx) with backoff and sends the digest once', async () => {
    const community = await communityWithNews('Gemeinde Geduld', ['g.geduld@example.org']);
    smtp.refuse(451);
    await worker.get(DigestScheduler).run({ tenantId: community.tenant.id, now });
    await until(async () => smtp.refusals() >= 1 && true);
    smtp.refuse(null);
    await until(async () => ours('.geduld@example.org').length === 1 && true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ours('.geduld@example.org')).toHaveLength(1);
    expect((await ledger(community)).map((row) => row.status)).toEqual(['sent']);
  });

  it('records a permanent refusal (5xx) as failed and does not retry it', async () => {
    const community = await communityWithNews('Gemeinde Abweisung', ['a.abweisung@example.org']);
    const before = smtp.refusals();
    smtp.refuse(550);
    await worker.get(DigestScheduler).run({ tenantId: community.tenant.id, now });
    await until(async () => (await ledger(community)).length === 1 && true);
    smtp.refuse(null);
    expect(smtp.refusals()).toBe(before + 1);
    const [row] = await community.scope.run(community.tenant.id, (em) =>
      em.execute<{ status: string; error: string }[]>('select status, error from mail_deliveries'),
    );
    expect(row).toMatchObject({ status: 'failed', error: expect.stringContaining('550') });
    // Not retried: nothing more arrives, and the next run does not pick the member up again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(smtp.refusals()).toBe(before + 1);
    expect(ours('.abweisung@example.org')).toHaveLength(0);
    expect((await worker.get(DigestScheduler).run({ tenantId: community.tenant.id, now })).due).toBe(0);
  });

  it('sends at most MAIL_RATE_PER_SECOND mails a second', async () => {
    const emails = Array.from({ length: 12 }, (_, index) => `r${index}.rate@example.org`);
    const community = await communityWithNews('Gemeinde Takt', emails);
    const first = smtp.mails.length;
    await worker.get(DigestScheduler).run({ tenantId: community.tenant.id, now });
    await until(async () => ours('.rate@example.org').length === 12 && true);
    // 12 mails at 5 a second take at least two further windows after the first five.
    const times = smtp.acceptedAt.slice(first);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(1_500);
  });
});
