import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { SESSION_COOKIE } from '@allmende/auth';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { freePort } from '@allmende/local-services';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { BrowserSession, formAction } from '../support/browser-session';
import { createTenant, openOrm } from '../support/fixtures';
import { startTestIdentityProvider, TEST_PASSWORD } from '../support/identity';
import { testConfig } from '../support/test-config';

/**
 * Security headers, session fixation and cookie flags through HTTP, beyond what
 * portal-security.int-spec.ts (nosniff, CSP script-src, assets) and portal-login.e2e-spec.ts
 * (a new session id at login, HttpOnly/SameSite, Secure with the default TRUST_PROXY) check.
 */
describe('security headers and sessions', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let tenant: Tenant;
  const apps: INestApplication[] = [];
  const anna = {
    email: 'anna.header@example.org',
    givenName: 'Anna',
    familyName: 'Header',
    emailVerified: true,
  };
  /** The API with the default TRUST_PROXY (loopback and private networks). */
  let base: string;

  async function startApi(overrides: Record<string, string> = {}, port?: number): Promise<string> {
    const listenOn = port ?? (await freePort());
    const url = `http://127.0.0.1:${listenOn}`;
    const app = await createApiApp(testConfig({ KEYCLOAK_URL: idp.url, PUBLIC_URL: url, ...overrides }));
    await app.listen(listenOn, '127.0.0.1');
    apps.push(app);
    return url;
  }

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Kopfzeile');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      em.create(MemberSchema, { email: anna.email, givenName: 'Anna', familyName: 'Header' });
      await em.flush();
    });
    const port = await freePort();
    idp = await startTestIdentityProvider(`http://127.0.0.1:${port}`, [anna]);
    base = await startApi({}, port);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await idp?.stop();
    await orm?.close(true);
  });

  /** Helmet's defaults (CSP aside), the same on every kind of response. */
  function expectHelmetDefaults(headers: Headers): void {
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}; includeSubDomains/);
    expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(headers.get('x-dns-prefetch-control')).toBe('off');
    expect(headers.get('x-permitted-cross-domain-policies')).toBe('none');
    expect(headers.get('origin-agent-cluster')).toBe('?1');
    expect(headers.get('x-powered-by')).toBeNull();
  }

  function directives(csp: string | null): Map<string, string> {
    expect(csp).toBeTruthy();
    return new Map(
      csp!
        .split(';')
        .map((part) => part.trim())
        .filter(Boolean)
        .map((part) => {
          const [name = '', ...values] = part.split(/\s+/);
          return [name, values.join(' ')] as [string, string];
        }),
    );
  }

  it('sends helmet defaults on API answers, successful and failed', async () => {
    const ok = await fetch(`${base}/api/tenants/${tenant.slug}`);
    expect(ok.status).toBe(200);
    expectHelmetDefaults(ok.headers);
    const problem = await fetch(`${base}/api/tenants/gibt-es-nicht`);
    expect(problem.status).toBe(404);
    expect(problem.headers.get('content-type')).toContain('application/problem+json');
    expectHelmetDefaults(problem.headers);
    // The strict portal policy is for pages; Swagger UI keeps its inline scripts working.
    expect(ok.headers.get('content-security-policy')).toBeNull();
    const docs = await fetch(`${base}/api/docs`);
    expect(docs.headers.get('content-security-policy') ?? '').not.toContain("script-src 'self'");
  });

  it('sends the strict CSP and helmet defaults on portal pages, which need no inline code', async () => {
    for (const path of [`/t/${tenant.slug}/`, '/auth/logged-out', `/t/${tenant.slug}/g/gibt-es-nicht`]) {
      const response = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(response.headers.get('content-type')).toContain('text/html');
      expectHelmetDefaults(response.headers);
      const csp = directives(response.headers.get('content-security-policy'));
      expect(csp.get('default-src')).toBe("'self'");
      expect(csp.get('script-src')).toBe("'self'");
      expect(csp.get('style-src')).toBe("'self'");
      expect(csp.get('img-src')).toBe("'self' data:");
      // KERN's Fira Sans from our own origin: no font service (DESIGN.md §7).
      expect(csp.get('font-src')).toBe("'self'");
      expect(csp.get('frame-ancestors')).toBe("'none'");
      expect(csp.get('object-src')).toBe("'none'");
      expect(csp.get('base-uri')).toBe("'self'");
      expect(csp.get('script-src-attr')).toBe("'none'");
      for (const value of csp.values()) expect(value).not.toMatch(/unsafe-(inline|eval)/);
      // What the policy would block must not be on the page: inline scripts, styles, handlers.
      const html = await response.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(html).not.toMatch(/<style[\s>]/i);
      expect(html).not.toMatch(/\sstyle\s*=/i);
      expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    }
  });

  /** Starts a sign-in: the redirect to the provider, and the session id it was given. */
  async function startSignIn(browser: BrowserSession, at = base) {
    const login = await browser.request(`${at}/auth/login?returnTo=%2Fme`);
    expect(login.status).toBe(303);
    return {
      authorize: login.headers.get('location')!,
      sessionId: browser.cookie('127.0.0.1', SESSION_COOKIE),
    };
  }

  it('prevents session fixation: the id from before sign-in is worthless afterwards', async () => {
    // An attacker gets a session id of their own and plants it in the victim's browser.
    const attacker = new BrowserSession();
    const { authorize, sessionId: planted } = await startSignIn(attacker);
    expect(planted).toBeTruthy();
    // The victim signs in with that cookie (here: the same jar continues the flow).
    const form = await attacker.follow(authorize);
    const landed = await attacker.follow(formAction(await form.response.text(), form.url), {
      form: { username: anna.email, password: TEST_PASSWORD },
    });
    expect(landed.url).toBe(`${base}/me`);
    expect(landed.response.status).toBe(200);
    const signedIn = attacker.cookie('127.0.0.1', SESSION_COOKIE);
    expect(signedIn).toBeTruthy();
    expect(signedIn).not.toBe(planted);

    // The planted id does not authenticate: /me sends it to sign in, no page of Anna's.
    const replay = await fetch(`${base}/me`, {
      headers: { cookie: `${SESSION_COOKIE}=${planted}` },
      redirect: 'manual',
    });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/auth/login?returnTo=%2Fme');
    // The new one does (the check above could fail).
    const valid = await fetch(`${base}/me`, { headers: { cookie: `${SESSION_COOKIE}=${signedIn}` } });
    expect(valid.status).toBe(200);
    expect(await valid.text()).toContain('Anna Header');
    // Signed-in pages are not cached.
    expect(valid.headers.get('cache-control')).toContain('no-store');
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, Path=/ and with an idle expiry', async () => {
    const browser = new BrowserSession();
    await startSignIn(browser);
    const cookie = browser.setCookies.find((header) => header.startsWith(`${SESSION_COOKIE}=`))!;
    expect(cookie).toBeTruthy();
    const attributes = cookie
      .split(';')
      .slice(1)
      .map((part) => part.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/');
    expect(attributes.some((part) => part.startsWith('domain='))).toBe(false);
    expect(attributes.some((part) => part.startsWith('expires='))).toBe(true);
    // The value is signed (express-session's "s:<id>.<signature>"): a forged id is refused.
    expect(decodeURIComponent(cookie.split(';')[0]!.split('=')[1]!)).toMatch(/^s:[^.]+\..+$/);
  });

  it('marks the cookie Secure only when a trusted proxy says the request came over TLS', async () => {
    const https = { 'x-forwarded-proto': 'https' };
    const sessionCookie = (response: Response) =>
      response.headers.getSetCookie().find((header) => header.startsWith(`${SESSION_COOKIE}=`));

    // TRUST_PROXY=1: one proxy hop (ours) is trusted.
    const behindProxy = await startApi({ TRUST_PROXY: '1' });
    const secure = await fetch(`${behindProxy}/auth/login`, { headers: https, redirect: 'manual' });
    expect(secure.status).toBe(303);
    expect(sessionCookie(secure)).toMatch(/;\s*Secure/i);

    // No trusted proxy: a client's own X-Forwarded-Proto changes nothing (plain HTTP, no Secure).
    const direct = await startApi({ TRUST_PROXY: 'false' });
    const spoofed = await fetch(`${direct}/auth/login`, { headers: https, redirect: 'manual' });
    expect(spoofed.status).toBe(303);
    expect(sessionCookie(spoofed)).toBeTruthy();
    expect(sessionCookie(spoofed)).not.toMatch(/;\s*Secure/i);
  });
});
