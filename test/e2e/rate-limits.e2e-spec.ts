import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { freePort } from '@allmende/local-services';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { RATE_LIMITED_ROUTES } from '@allmende/throttling';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { BrowserSession, formAction, formValue } from '../support/browser-session';
import { createTenant, openOrm } from '../support/fixtures';
import { passwordToken, startTestIdentityProvider, TEST_PASSWORD } from '../support/identity';
import { testConfig } from '../support/test-config';
import { testRun } from '../support/test-run';

/**
 * Abuse limits through HTTP with the real Redis: two API instances with one configuration
 * (limits small enough to reach), callers told apart by X-Forwarded-For (the API trusts
 * loopback proxies), so each test has addresses of its own.
 */
describe('rate limits', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  const apps: INestApplication[] = [];
  let bases: string[] = [];
  let tenant: Tenant;
  let redis: Redis;
  const anna = {
    email: 'anna.limit@example.org',
    givenName: 'Anna',
    familyName: 'Limit',
    emailVerified: true,
  };
  const bert = {
    email: 'bert.limit@example.org',
    givenName: 'Bert',
    familyName: 'Limit',
    emailVerified: true,
  };
  const tokens: Record<string, string> = {};
  const limits = {
    RATE_LIMITS: 'on',
    RATE_LIMIT_SEARCH: '3/5/60',
    RATE_LIMIT_LOGIN: '5/3/2',
    RATE_LIMIT_BOOKING: '1/50/60',
    RATE_LIMIT_UPLOADS: '1/50/60',
  };

  /** An address no other test uses (IPv6 documentation prefix, one /64 each). */
  function address(): string {
    const [a, b, c] = [0, 1, 2].map(() => randomBytes(2).toString('hex'));
    return `2001:db8:${a}:${b}:${c}::1`;
  }

  async function search(base: string, ip: string, token?: string) {
    return fetch(`${base}/api/tenants/${tenant.slug}/search?q=Grillfest`, {
      headers: { 'x-forwarded-for': ip, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  }

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Limit');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      for (const person of [anna, bert])
        em.create(MemberSchema, { email: person.email, givenName: person.givenName, familyName: 'Limit' });
      await em.flush();
    });
    const ports = [await freePort(), await freePort()];
    bases = ports.map((port) => `http://127.0.0.1:${port}`);
    idp = await startTestIdentityProvider(bases[0]!, [anna, bert]);
    for (const [index, port] of ports.entries()) {
      const app = await createApiApp(
        testConfig({ KEYCLOAK_URL: idp.url, PUBLIC_URL: bases[index]!, ...limits }),
      );
      await app.listen(port, '127.0.0.1');
      apps.push(app);
    }
    // The shared Redis client connects after start; count only once both instances reach it.
    for (const base of bases) {
      for (let attempt = 0; attempt < 50; attempt++) {
        const ready = await fetch(`${base}/health/ready`);
        if (ready.status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    tokens.anna = await passwordToken(idp, anna.email);
    tokens.bert = await passwordToken(idp, bert.email);
    redis = new Redis(testRun().redisUrl);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await idp?.stop();
    await orm?.close(true);
    await redis?.quit();
  });

  it('answers 429 as problem+json with Retry-After once the limit per IP is reached', async () => {
    const ip = address();
    for (let hit = 1; hit <= 5; hit++) expect((await search(bases[0]!, ip)).status).toBe(200);
    const refused = await search(bases[0]!, ip);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const problem = (await refused.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({
      type: '/problems/too-many-requests',
      title: 'Too Many Requests',
      status: 429,
      retryAfter,
    });
    // Another address is not affected, nor is a route without a limit from the same one.
    expect((await search(bases[0]!, address())).status).toBe(200);
    const other = await fetch(`${bases[0]}/api/tenants/${tenant.slug}`, {
      headers: { 'x-forwarded-for': ip },
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('retry-after')).toBeNull();
  });

  it('limits a member on every address, independently of the limit per IP', async () => {
    const [home, mobile] = [address(), address()];
    for (let hit = 1; hit <= 3; hit++) expect((await search(bases[0]!, home, tokens.anna)).status).toBe(200);
    // The fourth search from another address: the member's limit (3) holds there too.
    const refused = await search(bases[0]!, mobile, tokens.anna);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    // The home address has 3 of its 5: another member there still searches, and anonymously too.
    expect((await search(bases[0]!, home, tokens.bert)).status).toBe(200);
    expect((await search(bases[0]!, home)).status).toBe(200);
    expect((await search(bases[0]!, home)).status).toBe(429);
  });

  it('limits uploads per member before the body is read', async () => {
    const upload = () => {
      const form = new FormData();
      form.append('file', new Blob([Buffer.alloc(1024, 1)], { type: 'application/pdf' }), 'plan.pdf');
      return fetch(`${bases[1]}/api/tenants/${tenant.slug}/groups/keine-gruppe/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.bert}`, 'x-forwarded-for': address() },
        body: form,
      });
    };
    // The first upload counts (and finds no such group); the second is refused before the controller.
    expect((await upload()).status).toBe(404);
    const refused = await upload();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { type: string }).type).toBe('/problems/too-many-requests');
    // Anonymous uploads are refused as before (401), before any counting.
    const anonymous = await fetch(`${bases[1]}/api/tenants/${tenant.slug}/groups/keine-gruppe/files`, {
      method: 'POST',
      headers: { 'x-forwarded-for': address() },
    });
    expect(anonymous.status).toBe(401);
  });

  it('shares the count between two API instances', async () => {
    const ip = address();
    for (let hit = 1; hit <= 5; hit++) expect((await search(bases[hit % 2]!, ip)).status).toBe(200);
    expect((await search(bases[0]!, ip)).status).toBe(429);
    expect((await search(bases[1]!, ip)).status).toBe(429);
  });

  it('keeps counters in Redis under the prefix, expiring, without addresses in clear', async () => {
    const ip = address();
    await search(bases[0]!, ip);
    const keys = await redis.keys(`${testRun().queuePrefix}:throttle:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((key) => key.includes('2001:db8'))).toBe(false);
    for (const key of keys.slice(0, 20)) {
      const ttl = await redis.pttl(key);
      // A key may expire between KEYS and PTTL (-2); none lives forever (-1).
      expect(ttl === -2 || ttl > 0).toBe(true);
    }
  });

  it('starts a new window once the block is over (sign-in, per IP)', async () => {
    const ip = address();
    const login = () =>
      fetch(`${bases[0]}/auth/login`, { headers: { 'x-forwarded-for': ip }, redirect: 'manual' });
    for (let hit = 1; hit <= 3; hit++) expect((await login()).status).toBe(303);
    const refused = await login();
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 200));
    for (let hit = 1; hit <= 3; hit++) expect((await login()).status).toBe(303);
    expect((await login()).status).toBe(429);
  });

  it("shows portal pages' 429 as the portal's error page", async () => {
    const browser = new BrowserSession();
    const start = await browser.follow(`${bases[0]}/auth/login?returnTo=%2Fme`);
    const landed = await browser.follow(formAction(await start.response.text(), start.url), {
      form: { username: anna.email, password: TEST_PASSWORD },
    });
    expect(landed.url).toBe(`${bases[0]}/me`);
    const csrf = formValue(await landed.response.text(), '_csrf')!;
    expect(csrf).toBeTruthy();
    const request = () =>
      browser.request(`${bases[0]}/t/${tenant.slug}/g/keine-gruppe/booking/keine-huette/requests`, {
        form: { _csrf: csrf, start: '2030-06-14T18:00', end: '2030-06-14T22:00' },
        headers: { 'x-forwarded-for': address() },
      });
    // The first request counts (and finds no such group); the second is over the member's limit.
    expect((await request()).status).toBe(404);
    const refused = await request();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('text/html');
    expect(refused.headers.get('retry-after')).toBeTruthy();
    const page = await refused.text();
    expect(page).toContain('<html');
    expect(page).toContain('Zu viele Anfragen');
  });

  it('limits routes that exist (a renamed route would lose its limit)', () => {
    const express = (apps[0] as NestExpressApplication).getHttpAdapter().getInstance() as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    };
    const routes = new Set(
      express.router.stack
        .filter((layer) => layer.route)
        .flatMap((layer) =>
          Object.keys(layer.route!.methods).map((method) => `${method.toUpperCase()} ${layer.route!.path}`),
        ),
    );
    for (const route of RATE_LIMITED_ROUTES) expect(routes).toContain(`${route.method} ${route.path}`);
  });
});
