/**
 * What the API benchmarks share: a fresh database (bench/support.ts), Redis, the dev identity
 * provider, the real built API (`dist/apps/api/src/main.js`, a process of its own, as in
 * production) and a community seeded with realistic content; tokens, a portal sign-in, timed
 * requests, autocannon and the replay of captured SQL (bench/pg-capture.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { SignJWT, decodeJwt, importJWK } from 'jose';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { createOrmOptions } from '@allmende/db';
import { startDevIdentityProvider, type DevIdentityProvider } from '@allmende/dev-idp';
import { ALL_ENTITIES } from '@allmende/entities';
import { freePort, startRedisServer, type LocalRedis } from '@allmende/local-services';
import { ProvisioningService } from '@allmende/provisioning';
import { loadTemplate } from '@allmende/templates';
import { startCaptureProxy, type CapturedStatement } from './pg-capture';
import { ROOT, benchDatabase, median, type BenchDatabase } from './support';

export { replayOf, type Replay } from './replay';

export const PASSWORD = 'Bench-Passwort-1';
const PORTAL_CLIENT = {
  clientId: 'allmende-portal',
  clientSecret: `bench-portal-${randomBytes(8).toString('hex')}`,
};
const TOKEN_CLIENT = {
  clientId: 'allmende-bench',
  clientSecret: `bench-client-${randomBytes(8).toString('hex')}`,
};
const DAY = 24 * 60 * 60 * 1000;

export interface Person {
  email: string;
  givenName: string;
  familyName: string;
}

export interface Stack {
  db: BenchDatabase;
  redisUrl: string;
  idp: DevIdentityProvider;
  /** The API's port and URL (the same for every API process the benchmark starts). */
  base: string;
  port: number;
  /**
   * An API process on `base`'s port, or on `port` (a second instance beside the first; the
   * public URL stays `base`, as behind a load balancer).
   */
  startApi(options?: {
    databaseUrl?: string;
    env?: Record<string, string>;
    port?: number;
  }): Promise<ApiProcess>;
  /** An access token from the provider's token endpoint (password grant). */
  token(email: string): Promise<string>;
  close(): Promise<void>;
}

export interface ApiProcess {
  pid: number;
  /** pino-http's `responseTime` (ms) of every logged request since the last reset. */
  responseTimes(): number[];
  resetLog(): void;
  stop(): Promise<void>;
}

/** Database, Redis and the dev identity provider with `people` (password PASSWORD). */
export async function startStack(people: Person[]): Promise<Stack> {
  const db = await benchDatabase();
  let redis: LocalRedis | undefined;
  let redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL;
  if (!redisUrl) {
    redis = await startRedisServer();
    redisUrl = redis.url;
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp = await startDevIdentityProvider({
    clients: [
      {
        ...PORTAL_CLIENT,
        redirectUris: [`${base}/auth/callback`],
        postLogoutRedirectUris: [`${base}/auth/logged-out`],
      },
      { ...TOKEN_CLIENT, redirectUris: [], postLogoutRedirectUris: [], directAccessGrants: true },
    ],
    users: people.map((person) => ({
      ...person,
      username: person.email,
      password: PASSWORD,
      emailVerified: true,
    })),
    nodeEnv: 'test',
    // Long enough for every run of a benchmark: a token must not expire mid-measurement.
    accessTokenTtlSeconds: 3600,
  });
  const queuePrefix = `bench-api-${randomBytes(4).toString('hex')}`;
  // The same secrets for every API process of the stack: a session survives a restart.
  const sessionSecret = randomBytes(32).toString('base64url');
  const mailTokenSecret = randomBytes(32).toString('base64url');
  const running = new Set<ApiProcess>();
  return {
    db,
    redisUrl,
    idp,
    base,
    port,
    startApi: async (options = {}) => {
      const apiPort = options.port ?? port;
      const api = await startApiProcess(apiPort, {
        NODE_ENV: 'production',
        DATABASE_URL: options.databaseUrl ?? db.appUrl,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: queuePrefix,
        HOST: '127.0.0.1',
        PORT: String(apiPort),
        PUBLIC_URL: base,
        // info: pino-http logs each request with its responseTime (read from the output).
        LOG_LEVEL: 'info',
        KEYCLOAK_URL: idp.url,
        KEYCLOAK_PORTAL_CLIENT_ID: PORTAL_CLIENT.clientId,
        KEYCLOAK_PORTAL_CLIENT_SECRET: PORTAL_CLIENT.clientSecret,
        SESSION_SECRET: sessionSecret,
        MAIL_TOKEN_SECRET: mailTokenSecret,
        SMTP_URL: 'smtp://127.0.0.1:9',
        FILES_DIR: join(db.work, 'files'),
        // One client (the load generator) sends everything from 127.0.0.1: abuse limits
        // (libs/throttling) would answer 429 after a few dozen requests. They are not what is measured.
        RATE_LIMITS: 'off',
        ...options.env,
      });
      running.add(api);
      const stop = api.stop;
      api.stop = async () => {
        running.delete(api);
        await stop();
      };
      return api;
    },
    token: (email) => passwordToken(idp, email),
    close: async () => {
      for (const api of [...running]) await api.stop();
      await idp.stop();
      await redis?.stop();
      await db.close();
    },
  };
}

async function startApiProcess(port: number, env: Record<string, string>): Promise<ApiProcess> {
  const flags = process.env.BENCH_API_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child: ChildProcess = spawn(process.execPath, [...flags, join(ROOT, 'dist/apps/api/src/main.js')], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let times: number[] = [];
  let pending = '';
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
    if (errors.length > 20_000) errors = errors.slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.includes('"msg":"api listening"')) resolve();
        const match = /"responseTime":(\d+(?:\.\d+)?)/.exec(line);
        if (match) times.push(Number(match[1]));
      }
    });
    void exited.then((code) => reject(new Error(`the API exited (${code}) before it listened:\n${errors}`)));
  });
  await listening;
  await waitForOk(`http://127.0.0.1:${port}/health/ready`);
  return {
    pid: child.pid!,
    responseTimes: () => [...times],
    resetLog: () => {
      times = [];
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitForOk(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer 200 within 60 s`);
}

async function passwordToken(idp: DevIdentityProvider, email: string): Promise<string> {
  const response = await fetch(`${idp.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${TOKEN_CLIENT.clientId}:${TOKEN_CLIENT.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'password',
      username: email,
      password: PASSWORD,
      scope: 'openid',
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new Error(`password grant failed: ${response.status}`);
  return body.access_token;
}

/**
 * Tokens for many people at once: the claims of a real token of the provider with another
 * subject and e-mail, signed with the provider's own key (what Keycloak would issue them).
 */
export async function tokensLike(
  idp: DevIdentityProvider,
  real: string,
  emails: string[],
): Promise<string[]> {
  const claims = decodeJwt(real);
  const key = await importJWK(idp.signingKey.privateJwk, 'RS256');
  return Promise.all(
    emails.map((email) =>
      new SignJWT({ ...claims, sub: randomUUID(), email, preferred_username: email, jti: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', kid: idp.signingKey.kid, typ: 'JWT' })
        .sign(key),
    ),
  );
}

/** Signs in through the portal (authorization code flow at the provider); returns the Cookie header. */
export async function portalSignIn(base: string, email: string, returnTo: string): Promise<string> {
  const jar = new Map<string, Map<string, string>>();
  const request = async (url: string, form?: Record<string, string>) => {
    const target = new URL(url);
    const cookies = jar.get(target.host);
    const headers: Record<string, string> = {};
    if (cookies?.size) headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(target, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form ? new URLSearchParams(form).toString() : undefined,
      redirect: 'manual',
    });
    for (const header of response.headers.getSetCookie()) {
      const pair = header.split(';')[0]!;
      const at = pair.indexOf('=');
      const map = jar.get(target.host) ?? new Map<string, string>();
      jar.set(target.host, map);
      map.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return response;
  };
  const follow = async (url: string, form?: Record<string, string>) => {
    let current = url;
    let response = await request(current, form);
    for (let hops = 0; response.status >= 300 && response.status < 400 && hops < 10; hops++) {
      current = new URL(response.headers.get('location')!, current).href;
      response = await request(current);
    }
    return { response, url: current };
  };
  const start = await follow(`${base}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  const page = await start.response.text();
  const action = /<form[^>]*action="([^"]*)"/.exec(page)?.[1]?.replace(/&amp;/g, '&');
  if (!action) throw new Error('no login form at the identity provider');
  const landed = await follow(new URL(action, start.url).href, { username: email, password: PASSWORD });
  if (landed.url !== `${base}${returnTo}` || landed.response.status !== 200) {
    throw new Error(`sign-in ended at ${landed.url} (${landed.response.status})`);
  }
  const cookies = jar.get(new URL(base).host)!;
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

export interface Community {
  tenantId: string;
  slug: string;
  /** Signed in in the benchmarks; member of every group. */
  member: Person;
  /** Extra members of the Grillhütte group (mitglied.<n>@example.org). */
  extraMembers: string[];
  groups: Record<string, string>;
  resourceId: string;
}

export interface CommunitySize {
  posts: number;
  events: number;
  calls: number;
  bookings: number;
  extraMembers: number;
}

export const BENCH_MEMBER: Person = {
  email: 'bench.mitglied@example.org',
  givenName: 'Grete',
  familyName: 'Müller',
};

/**
 * A community from the municipality template with `size` of content: news posts over two
 * years across the groups with news (one active urgent alert, three pinned, some expired),
 * events over a year (half upcoming), calls for volunteers with shifts and items, approved
 * Grillhütte bookings in the next weeks. Content rows are written as superuser (set-up only).
 */
export async function seedCommunity(db: BenchDatabase, size: CommunitySize): Promise<Community> {
  const orm = await MikroORM.init(createOrmOptions({ url: db.appUrl, entities: ALL_ENTITIES, poolMax: 2 }));
  const admin = new Client({ connectionString: db.adminOnDatabase });
  await admin.connect();
  try {
    const slug = 'ransbach-baumbach';
    const { tenant } = await new ProvisioningService(orm).createTenant({
      slug,
      name: 'Ortsgemeinde Ransbach-Baumbach',
      template: await loadTemplate('municipality'),
      templateName: 'municipality',
    });
    const tenantId = tenant.id;
    const groupRows = await admin.query<{ id: string; key: string }>(
      'select id, key from groups where tenant_id = $1 order by position',
      [tenantId],
    );
    const groups = Object.fromEntries(groupRows.rows.map((row) => [row.key, row.id]));
    const modules = async (module: string) =>
      (
        await admin.query<{ group_id: string }>(
          'select group_id from group_modules where tenant_id = $1 and module = $2 order by group_id',
          [tenantId, module],
        )
      ).rows.map((row) => row.group_id);
    const member = (email: string, givenName: string, familyName: string, role = 'member') =>
      admin
        .query<{ id: string }>(
          `insert into members (id, tenant_id, email, given_name, family_name, role)
           values (gen_random_uuid(), $1, $2, $3, $4, $5) returning id`,
          [tenantId, email, givenName, familyName, role],
        )
        .then((result) => result.rows[0]!.id);
    const author = await member('redaktion@example.org', 'Jürgen', 'Schäfer', 'tenant_admin');
    const memberId = await member(BENCH_MEMBER.email, BENCH_MEMBER.givenName, BENCH_MEMBER.familyName);
    await admin.query(
      `insert into group_members (id, tenant_id, group_id, member_id, role)
       select gen_random_uuid(), $1, g.id, m.id, case when m.id = $2 then 'group_admin' else 'member' end
         from groups g cross join members m where g.tenant_id = $1 and m.id in ($2, $3)`,
      [tenantId, author, memberId],
    );
    await admin.query(
      `insert into members (id, tenant_id, email, given_name, family_name, role)
       select gen_random_uuid(), $1, 'mitglied.' || n || '@example.org',
              (array['Anna','Lukas','Zoë','Mehmet','Sophie','Ülkü'])[1 + n % 6],
              (array['Weiß','Öztürk','Krüger','Becker'])[1 + n % 4], 'member'
         from generate_series(1, $2::int) n`,
      [tenantId, size.extraMembers],
    );
    await admin.query(
      `insert into group_members (id, tenant_id, group_id, member_id, role)
       select gen_random_uuid(), $1, $2, m.id, 'member' from members m
        where m.tenant_id = $1 and m.email like 'mitglied.%'`,
      [tenantId, groups.grillhuette],
    );

    const newsGroups = await modules('news');
    await admin.query(
      `insert into news_posts (id, tenant_id, group_id, author_id, category_key, title, body, urgency, pinned, publish_at, expires_at)
       select gen_random_uuid(), $1, ($2::uuid[])[1 + n % array_length($2::uuid[], 1)], $3, 'allgemein',
              (array['Vollsperrung der Hauptstraße','Dorffest am Samstag','Stromabschaltung','Sprechstunde des Ortsbürgermeisters','Sperrmüll','Sitzung des Gemeinderats'])[1 + n % 6] || ' (' || n || ')',
              'Die **Ortsgemeinde** informiert: Wegen Arbeiten an der Wasserleitung ist die Hauptstraße zwischen ' ||
              'Kirchplatz und Bahnhof gesperrt. Die Umleitung führt über die Bergstraße; die Buslinie 460 hält ' ||
              'an der Ersatzhaltestelle am Sportplatz. Wir bitten um Verständnis.',
              case when n = 1 then 'urgent' when n % 50 = 0 then 'important' else 'normal' end,
              n in (2, 3, 4),
              now() - (n * interval '17 hours'),
              case when n % 20 = 0 then now() - (n * interval '5 hours') else null end
         from generate_series(1, $4::int) n`,
      [tenantId, newsGroups, author, size.posts],
    );
    const eventGroups = await modules('events');
    await admin.query(
      `insert into events (id, tenant_id, group_id, author_id, title, description, place, starts_at, ends_at, all_day)
       select gen_random_uuid(), $1, ($2::uuid[])[1 + n % array_length($2::uuid[], 1)], $3,
              (array['Stammtisch','Konzert im Bürgerhaus','Seniorennachmittag','Blutspende','Kirmes'])[1 + n % 5] || ' ' || n,
              'Alle sind herzlich willkommen.', 'Dorfgemeinschaftshaus',
              date_trunc('hour', now()) + ((n - $4::int / 2) * interval '37 hours'),
              date_trunc('hour', now()) + ((n - $4::int / 2) * interval '37 hours') + interval '2 hours',
              n % 10 = 0
         from generate_series(1, $4::int) n`,
      [tenantId, eventGroups, author, size.events],
    );
    const callGroups = await modules('volunteering');
    await admin.query(
      `with calls as (
         insert into volunteer_calls (id, tenant_id, group_id, author_id, title, body, place, contact, status, created_at)
         select gen_random_uuid(), $1, ($2::uuid[])[1 + n % array_length($2::uuid[], 1)], $3,
                'Helferinnen und Helfer für das Dorffest ' || n, 'Wir brauchen Hilfe beim Aufbau.', 'Kirchplatz',
                'Gemeindebüro', case when n % 4 = 0 then 'closed' else 'open' end, now() - n * interval '1 day'
           from generate_series(1, $4::int) n returning id
       ), shifts as (
         insert into volunteer_shifts (id, tenant_id, call_id, starts_at, ends_at, helpers_needed, pledged_count)
         select gen_random_uuid(), $1, calls.id, now() + s * interval '1 day', now() + s * interval '1 day' + interval '3 hours', 6, s
           from calls cross join generate_series(1, 3) s returning id
       )
       insert into volunteer_items (id, tenant_id, call_id, name, quantity_needed, pledged_quantity)
       select gen_random_uuid(), $1, calls.id, 'Kuchen', 10, 4 from calls`,
      [tenantId, callGroups, author, size.calls],
    );
    const resource = await admin.query<{ id: string }>(
      'select id from bookable_resources where tenant_id = $1 and group_id = $2 order by key limit 1',
      [tenantId, groups.grillhuette],
    );
    const resourceId = resource.rows[0]!.id;
    await admin.query(
      `insert into bookings (id, tenant_id, resource_id, group_id, requester_id, starts_at, ends_at, status, purpose,
                             expected_guests, contact_phone, house_rules_accepted_at, decided_at)
       select gen_random_uuid(), $1, $2, $3, $4, date_trunc('day', now()) + (n * 3) * interval '1 day' + interval '12 hours',
              date_trunc('day', now()) + (n * 3) * interval '1 day' + interval '22 hours', 'approved', 'Geburtstagsfeier',
              30, '02623 123456', now(), now()
         from generate_series(1, $5::int) n`,
      [tenantId, resourceId, groups.grillhuette, author, size.bookings],
    );
    await admin.query('analyze');
    const extraMembers = Array.from(
      { length: size.extraMembers },
      (_, index) => `mitglied.${index + 1}@example.org`,
    );
    return { tenantId, slug, member: BENCH_MEMBER, extraMembers, groups, resourceId };
  } finally {
    await admin.end();
    await orm.close(true);
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** Nearest-rank percentiles of samples (ms). */
/** The p-th percentile (nearest rank) of `sorted`, ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summarize(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => percentile(sorted, p);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    count: sorted.length,
    p50: round(rank(50)),
    p95: round(rank(95)),
    p99: round(rank(99)),
    mean: round(sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length)),
  };
}

/** `count` sequential GETs (the body read to its end); the request→response time of each, in ms. */
export async function timedRequests(
  url: string,
  headers: Record<string, string>,
  count: number,
  expectStatus = 200,
): Promise<{ times: number[]; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    const response = await fetch(url, { headers, redirect: 'manual' });
    const body = await response.arrayBuffer();
    times.push(performance.now() - started);
    if (response.status !== expectStatus) {
      throw new Error(`${url} answered ${response.status}, expected ${expectStatus}`);
    }
    bytes = body.byteLength;
  }
  return { times, bytes };
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** Several load runs in one: medians of throughput and latencies, and the runs themselves. */
export interface LoadSummary {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  perRun: LoadResult[];
}

export function summarizeLoads(runs: LoadResult[]): LoadSummary {
  return {
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    perRun: runs,
  };
}

/** autocannon against `url` (keep-alive connections); latencies in ms. */
export async function load(
  url: string,
  options: {
    headers?: Record<string, string>;
    /** Headers per connection, in turn (e.g. a token of its own for each); instead of `headers`. */
    connectionHeaders?: Record<string, string>[];
    connections: number;
    duration: number;
    overallRate?: number;
  },
): Promise<LoadResult> {
  let next = 0;
  const perConnection = options.connectionHeaders;
  const result = await autocannon({
    url,
    headers: options.headers,
    connections: options.connections,
    duration: options.duration,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    ...(perConnection?.length
      ? { setupClient: (client) => client.setHeaders(perConnection[next++ % perConnection.length]!) }
      : {}),
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** A load run that must have answered every request with 2xx (a benchmark of errors measures nothing). */
export async function cleanLoad(url: string, options: Parameters<typeof load>[1]): Promise<LoadResult> {
  return expectClean(url, await load(url, options));
}

/** `result`, if every request was answered with 2xx; else an error. */
export function expectClean(url: string, result: LoadResult): LoadResult {
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts of ${result.total}`,
    );
  }
  return result;
}

/** A short readable form of a statement for the docs (whitespace collapsed). */
export function statementText(sql: string, max = 160): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export const days = (count: number) => count * DAY;

/**
 * The SQL the API sends for one GET of `url`, read off the wire (bench/pg-capture.ts) with an
 * API process of its own behind the proxy: after `warmUp` requests (the member is linked,
 * caches are warm, as in the measured runs), the statements of one more.
 */
export async function captureRequestSql(
  stack: Stack,
  url: string,
  headers: Record<string, string>,
  options: { env?: Record<string, string>; warmUp?: number } = {},
): Promise<CapturedStatement[]> {
  const proxy = await startCaptureProxy(stack.db.appUrl);
  try {
    const api = await stack.startApi({ databaseUrl: proxy.urlFor(stack.db.appUrl), env: options.env });
    try {
      for (let index = 0; index < (options.warmUp ?? 2); index++) await timedRequests(url, headers, 1);
      proxy.reset();
      await timedRequests(url, headers, 1);
      return proxy.statements();
    } finally {
      await api.stop();
    }
  } finally {
    await proxy.stop();
  }
}
