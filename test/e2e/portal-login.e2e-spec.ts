import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { SESSION_COOKIE } from '@allmende/auth';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { BrowserSession, formAction, formValue } from '../support/browser-session';
import { createTenant, openOrm } from '../support/fixtures';
import { startApiWithIdentityProvider, TEST_PASSWORD } from '../support/identity';

/**
 * The portal's sign-in as a browser does it, against a running dev identity provider:
 * redirect to the provider, its login form, the callback, the session, a signed-in page,
 * and sign-out, which ends our session and the provider's.
 */
describe('portal login', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let tenant: Tenant;
  const anna = {
    email: 'anna.portal@example.org',
    givenName: 'Anna',
    familyName: 'Portal',
    emailVerified: true,
  };

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Portal');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      em.create(MemberSchema, { email: anna.email, givenName: 'Anna', familyName: 'Portal' });
      await em.flush();
    });
    ({ app, idp, base } = await startApiWithIdentityProvider([anna]));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  /** Signs in through the provider's form; returns the page we land on. */
  async function signIn(browser: BrowserSession, returnTo = '/me') {
    const start = await browser.follow(`${base}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    expect(start.url.startsWith(`${idp.issuer}/`)).toBe(true);
    const loginPage = await start.response.text();
    expect(loginPage).toContain('name="password"');
    return browser.follow(formAction(loginPage, start.url), {
      form: { username: anna.email, password: TEST_PASSWORD },
    });
  }

  it('signs in with PKCE, state and nonce, and shows a signed-in page', async () => {
    const browser = new BrowserSession();
    const anonymous = await browser.request(`${base}/me`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/auth/login?returnTo=%2Fme');

    const login = await browser.request(`${base}/auth/login?returnTo=%2Fme`);
    expect(login.status).toBe(303);
    const authorize = new URL(login.headers.get('location')!);
    expect(authorize.href.startsWith(`${idp.issuer}/protocol/openid-connect/auth`)).toBe(true);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toBeTruthy();
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${base}/auth/callback`);
    const sessionBeforeLogin = browser.cookie('127.0.0.1', SESSION_COOKIE);
    expect(sessionBeforeLogin).toBeTruthy();

    const loginForm = await browser.follow(authorize.href);
    const wrong = await browser.request(formAction(await loginForm.response.text(), loginForm.url), {
      form: { username: anna.email, password: 'falsch' },
    });
    expect(wrong.status).toBe(200);
    const retry = await wrong.text();
    expect(retry).toContain('name="password"');

    const landed = await browser.follow(formAction(retry, loginForm.url), {
      form: { username: anna.email, password: TEST_PASSWORD },
    });
    expect(landed.hops.some((hop) => hop.startsWith(`${base}/auth/callback?`))).toBe(true);
    expect(landed.url).toBe(`${base}/me`);
    expect(landed.response.status).toBe(200);
    const page = await landed.response.text();
    expect(page).toContain('Angemeldet als Anna Portal');
    expect(page).toContain(`/t/${tenant.slug}/`);

    // A new session id after login: an id planted before it (session fixation) is worthless.
    const sessionAfterLogin = browser.cookie('127.0.0.1', SESSION_COOKIE);
    expect(sessionAfterLogin).toBeTruthy();
    expect(sessionAfterLogin).not.toBe(sessionBeforeLogin);
    const cookie = browser.setCookies.filter((header) => header.startsWith(`${SESSION_COOKIE}=`)).at(-1)!;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).not.toMatch(/; Secure/i); // plain HTTP here; see the TLS test below

    // The portal session also carries API calls of the portal's own pages.
    const english = await browser.request(`${base}/me?lang=en`);
    expect(await english.text()).toContain('Signed in as Anna Portal');
  });

  it('signs out of the portal and the provider with a CSRF-protected form', async () => {
    const browser = new BrowserSession();
    const landed = await signIn(browser);
    const page = await landed.response.text();
    const csrf = formValue(page, '_csrf');
    expect(csrf).toBeTruthy();

    // Without the token (a forged cross-site form): 403, and still signed in.
    const forged = await browser.request(`${base}/auth/logout`, { form: {} });
    expect(forged.status).toBe(403);
    const wrongToken = await browser.request(`${base}/auth/logout`, { form: { _csrf: 'x'.repeat(64) } });
    expect(wrongToken.status).toBe(403);
    expect((await browser.request(`${base}/me`)).status).toBe(200);

    const out = await browser.follow(`${base}/auth/logout`, { form: { _csrf: csrf! } });
    expect(out.hops.some((hop) => hop.startsWith(`${idp.issuer}/protocol/openid-connect/logout`))).toBe(true);
    expect(out.url).toBe(`${base}/auth/logged-out`);
    expect(await out.response.text()).toContain('Sie sind abgemeldet.');

    // Our session is gone ...
    const after = await browser.request(`${base}/me`);
    expect(after.status).toBe(303);
    // ... and the provider's: signing in again shows its login form instead of passing through.
    const again = await browser.follow(`${base}/auth/login?returnTo=%2Fme`);
    expect(again.url.startsWith(`${idp.issuer}/`)).toBe(true);
    expect(await again.response.text()).toContain('name="password"');
  });

  it('refuses an external or odd returnTo', async () => {
    const browser = new BrowserSession();
    for (const target of [
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      const response = await browser.request(`${base}/auth/login?returnTo=${encodeURIComponent(target)}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    }
  });

  it('returns to the page the person came from', async () => {
    const browser = new BrowserSession();
    const landed = await signIn(browser, `/me?lang=en`);
    expect(landed.url).toBe(`${base}/me?lang=en`);
    expect(await landed.response.text()).toContain('Signed in as');
  });

  it('refuses a callback that does not belong to a sign-in of this browser', async () => {
    const browser = new BrowserSession();
    const stray = await browser.request(`${base}/auth/callback?code=abc&state=def`);
    expect(stray.status).toBe(400);
    // A started login, but a state that is not ours (CSRF on the callback).
    await browser.request(`${base}/auth/login`);
    const forged = await browser.request(`${base}/auth/callback?code=abc&state=forged`);
    expect(forged.status).toBe(400);
  });

  it('marks the session cookie Secure behind a TLS-terminating proxy', async () => {
    const browser = new BrowserSession();
    // The API trusts X-Forwarded-Proto from loopback proxies.
    const response = await browser.request(`${base}/auth/login`, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(response.status).toBe(303);
    const cookie = response.headers.getSetCookie().find((header) => header.startsWith(`${SESSION_COOKIE}=`));
    expect(cookie).toMatch(/; Secure/i);
  });
});
