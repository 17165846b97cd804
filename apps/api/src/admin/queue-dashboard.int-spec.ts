import { BrowserSession, formAction } from '../../../../test/support/browser-session';
import {
  passwordToken,
  startApiWithIdentityProvider,
  TEST_PASSWORD,
  type ApiWithIdentity,
} from '../../../../test/support/identity';

const admin = {
  email: 'olga.operator@example.org',
  givenName: 'Olga',
  familyName: 'Operator',
  emailVerified: true,
  realmRoles: ['platform_admin'],
};
const member = {
  email: 'max.member@example.org',
  givenName: 'Max',
  familyName: 'Member',
  emailVerified: true,
};

describe('queue dashboard /admin/queues', () => {
  let api: ApiWithIdentity;

  beforeAll(async () => {
    api = await startApiWithIdentityProvider([admin, member]);
  });

  afterAll(async () => {
    await api?.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${api.base}${path}`, { headers, redirect: 'manual' });
  const bearer = async (email: string) => ({
    authorization: `Bearer ${await passwordToken(api.idp, email)}`,
  });

  it('sends a browser without a session to sign in, and tells API clients 401', async () => {
    const page = await get('/admin/queues', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/auth/login?returnTo=%2Fadmin%2Fqueues');

    const apiCall = await get('/admin/queues/api/queues', { accept: 'application/json' });
    expect(apiCall.status).toBe(401);
    expect(apiCall.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('refuses people who are not platform admins (403)', async () => {
    const headers = await bearer(member.email);
    expect((await get('/admin/queues', { ...headers, accept: 'text/html' })).status).toBe(403);
    expect((await get('/admin/queues/api/queues', headers)).status).toBe(403);
  });

  it('shows platform admins every queue (bearer token)', async () => {
    const headers = await bearer(admin.email);
    const page = await get('/admin/queues', { ...headers, accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    // Its assets are relative to <base href>: they must come from below /admin/queues/.
    expect(html).toContain('<base href="/admin/queues/"');
    const asset = /src="(static\/[\w./-]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await get(`/admin/queues/${asset!}`, headers);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);

    const queues = await get('/admin/queues/api/queues', headers);
    expect(queues.status).toBe(200);
    const body = (await queues.json()) as { queues: { name: string }[] };
    expect(body.queues.map((queue) => queue.name).sort()).toEqual(['mail', 'notifications', 'system']);

    expect((await get('/admin/queues/api/no-such-route', headers)).status).toBe(404);
  });

  it('lets a platform admin in through the portal session', async () => {
    const browser = new BrowserSession();
    const start = await browser.follow(
      `${api.base}/auth/login?returnTo=${encodeURIComponent('/admin/queues')}`,
    );
    expect(start.url.startsWith(`${api.idp.issuer}/`)).toBe(true);
    const landed = await browser.follow(formAction(await start.response.text(), start.url), {
      form: { username: admin.email, password: TEST_PASSWORD },
    });
    expect(landed.url).toBe(`${api.base}/admin/queues`);
    expect(landed.response.status).toBe(200);
    const queues = await browser.request(`${api.base}/admin/queues/api/queues`);
    expect(queues.status).toBe(200);
    // The board's own actions are same-site JSON calls without our CSRF token: they must pass.
    const retryAll = await browser.request(`${api.base}/admin/queues/api/queues/system/retry/failed`, {
      method: 'PUT',
    });
    expect(retryAll.status).toBe(200);
  });

  it('refuses a member signed in through the portal session (403)', async () => {
    const browser = new BrowserSession();
    const start = await browser.follow(`${api.base}/auth/login?returnTo=%2Fme`);
    await browser.follow(formAction(await start.response.text(), start.url), {
      form: { username: member.email, password: TEST_PASSWORD },
    });
    const page = await browser.request(`${api.base}/admin/queues`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(403);
  });
});
