import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { startDevIdentityProvider } from './dev-identity-provider';
import {
  browse,
  CookieJar,
  formAction,
  formPost,
  GRETE,
  passwordGrant,
  TESTS,
  tokensFor,
} from './test-fixtures';
import type { DevIdentityProvider } from './types';

const ADMIN_TOKEN = 'dev-admin-token-0123456789abcdef';

/** The dev admin API and the invitation link page, over HTTP. */
describe('dev identity provider: admin API and invitation links', () => {
  let idp: DevIdentityProvider;
  const admin = (path: string) => `${idp.issuer}/dev-admin${path}`;
  const call = async (method: string, path: string, body?: unknown, token = ADMIN_TOKEN) => {
    const response = await fetch(admin(path), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const invite = (id: string, body: unknown) => call('PUT', `/users/${id}/execute-actions-email`, body);

  beforeAll(async () => {
    idp = await startDevIdentityProvider({ clients: [TESTS], users: [GRETE], adminToken: ADMIN_TOKEN });
  });
  afterAll(() => idp.stop());

  it('requires the admin bearer token', async () => {
    for (const token of ['', 'wrong', `${ADMIN_TOKEN}x`]) {
      const response = await call('GET', '/users', undefined, token);
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ error: 'unauthorized' });
    }
    const created = await call(
      'POST',
      '/users',
      { email: 'x@example.org', givenName: 'X', familyName: 'Y' },
      'no',
    );
    expect(created.status).toBe(401);
    expect(idp.users().some((user) => user.email === 'x@example.org')).toBe(false);
  });

  it('is absent without an admin token', async () => {
    const plain = await startDevIdentityProvider({ clients: [], users: [] });
    try {
      const response = await fetch(`${plain.issuer}/dev-admin/users`, {
        headers: { authorization: 'Bearer x' },
      });
      expect(response.status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it('creates a user once (username = e-mail, no password) and finds it by e-mail in any case', async () => {
    const person = { email: 'Hanna.Schaefer@Example.org', givenName: 'Hanna', familyName: 'Schäfer' };
    const first = await call('POST', '/users', person);
    expect(first).toEqual({ status: 201, body: { id: expect.any(String), created: true } });
    const { id } = first.body as { id: string };

    const again = await call('POST', '/users', { ...person, email: 'hanna.schaefer@example.ORG' });
    expect(again).toEqual({ status: 200, body: { id, created: false } });

    const found = await call('GET', `/users?email=${encodeURIComponent('HANNA.SCHAEFER@example.org')}`);
    expect(found).toEqual({
      status: 200,
      body: [
        {
          id,
          username: 'hanna.schaefer@example.org',
          email: 'hanna.schaefer@example.org',
          emailVerified: false,
          givenName: 'Hanna',
          familyName: 'Schäfer',
        },
      ],
    });
    expect((await call('GET', '/users?email=nobody@example.org')).body).toEqual([]);
    const all = (await call('GET', '/users')).body as { email: string }[];
    expect(all.map((user) => user.email)).toEqual(
      expect.arrayContaining(['grete.mueller@example.org', 'hanna.schaefer@example.org']),
    );

    // No password yet: signing in is refused until the invitation link sets one.
    expect((await passwordGrant(idp, TESTS, 'hanna.schaefer@example.org', '')).status).toBe(401);
  });

  it('answers bad input with 400 naming the field, and unknown fields too', async () => {
    const missing = await call('POST', '/users', { givenName: 'A', familyName: 'B' });
    expect(missing.status).toBe(400);
    expect((missing.body as { error_description: string }).error_description).toMatch(/^email: /);
    const bad = await call('POST', '/users', { email: 'not-an-address', givenName: 'A', familyName: 'B' });
    expect((bad.body as { error_description: string }).error_description).toMatch(/^email: /);
    const unknown = await call('POST', '/users', {
      email: 'a@example.org',
      givenName: 'A',
      familyName: 'B',
      admin: true,
    });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { error_description: string }).error_description).toMatch(/admin/);

    const notJson = await fetch(admin('/users'), {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{"email":',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('execute-actions-email records an e-mail with a one-time link; 404 for an unknown user, 400 for unknown actions', async () => {
    const { id } = (
      await call('POST', '/users', { email: 'otto@example.org', givenName: 'Otto', familyName: 'Graf' })
    ).body as { id: string };
    expect((await invite('no-such-user', { actions: ['UPDATE_PASSWORD'] })).status).toBe(404);
    expect((await invite(id, { actions: ['CONFIGURE_TOTP'] })).status).toBe(400);
    expect(
      (await invite(id, { actions: ['UPDATE_PASSWORD'], redirectUri: 'javascript:alert(1)' })).status,
    ).toBe(400);

    const before = idp.actionEmails().length;
    const sent = await invite(id, {
      actions: ['VERIFY_EMAIL', 'UPDATE_PASSWORD'],
      redirectUri: 'http://127.0.0.1:3999/t/ransbach-baumbach/',
      lifespanSeconds: 3600,
    });
    expect(sent).toEqual({ status: 204, body: undefined });
    const emails = idp.actionEmails();
    expect(emails).toHaveLength(before + 1);
    expect(emails.at(-1)).toEqual({
      userId: id,
      email: 'otto@example.org',
      actions: ['VERIFY_EMAIL', 'UPDATE_PASSWORD'],
      link: expect.stringMatching(new RegExp(`^${idp.issuer}/login-actions/action-token\\?key=[\\w-]{20,}$`)),
      redirectUri: 'http://127.0.0.1:3999/t/ransbach-baumbach/',
      sentAt: expect.any(String),
    });
    expect((await call('GET', '/action-emails')).body).toEqual(emails);
  });

  it('the link page sets the password and verifies the e-mail, then the password grant works; the link works once', async () => {
    const { id } = (
      await call('POST', '/users', { email: 'ida@example.org', givenName: 'Ida', familyName: 'Klein' })
    ).body as { id: string };
    await invite(id, {
      actions: ['VERIFY_EMAIL', 'UPDATE_PASSWORD'],
      redirectUri: 'http://127.0.0.1:3999/welcome',
    });
    const { link } = idp.actionEmails().at(-1)!;

    const jar = new CookieJar();
    const page = await browse(jar, link);
    expect(page.status).toBe(200);
    const form = await page.text();
    expect(form).toContain('ida@example.org');
    expect(form).toMatch(/<label for="password-new">/);
    expect(form).toMatch(/<label for="password-confirm">/);
    const action = formAction(form, link);
    const key = new URL(link).searchParams.get('key')!;

    const mismatch = await browse(
      jar,
      action,
      formPost({ key, 'password-new': 'eins', 'password-confirm': 'zwei' }),
    );
    expect(mismatch.status).toBe(200);
    expect(await mismatch.text()).toContain('Die Passwörter stimmen nicht überein.');
    expect(idp.users().find((user) => user.id === id)?.emailVerified).toBe(false);

    const done = await browse(
      jar,
      action,
      formPost({ key, 'password-new': 'Sonnenblume', 'password-confirm': 'Sonnenblume' }),
    );
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('http://127.0.0.1:3999/welcome');
    expect(idp.users().find((user) => user.id === id)?.emailVerified).toBe(true);

    const tokens = await tokensFor(idp, 'ida@example.org', 'Sonnenblume');
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      sub: id,
      email_verified: true,
      given_name: 'Ida',
    });

    for (const used of [
      await browse(jar, link),
      await browse(jar, action, formPost({ key, 'password-new': 'x', 'password-confirm': 'x' })),
    ]) {
      expect(used.status).toBe(400);
      expect(await used.text()).toContain('abgelaufen oder wurde bereits verwendet');
    }
    expect((await passwordGrant(idp, TESTS, 'ida@example.org', 'x')).status).toBe(401);
  });

  it('without a redirect URI the link page says it is done; an expired link is refused', async () => {
    const { id } = (
      await call('POST', '/users', { email: 'emil@example.org', givenName: 'Emil', familyName: 'Roth' })
    ).body as { id: string };
    await invite(id, { actions: ['UPDATE_PASSWORD'], lifespanSeconds: 1 });
    const shortLived = idp.actionEmails().at(-1)!.link;
    await invite(id, { actions: ['UPDATE_PASSWORD'] });
    const { link } = idp.actionEmails().at(-1)!;

    const key = new URL(link).searchParams.get('key')!;
    const done = await browse(
      new CookieJar(),
      link,
      formPost({ key, 'password-new': 'Apfel', 'password-confirm': 'Apfel' }),
    );
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Ihr Konto ist eingerichtet.');
    // UPDATE_PASSWORD alone leaves the e-mail unverified.
    expect(idp.users().find((user) => user.id === id)?.emailVerified).toBe(false);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await browse(new CookieJar(), shortLived)).status).toBe(400);
  });
});

describe('dev identity provider: users file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'allmende-dev-idp-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps users created and changed through the admin API across a restart; the file wins for the same e-mail', async () => {
    const usersFile = join(dir, 'nested', 'users.json');
    const seed = { ...GRETE, email: 'paula@example.org', username: 'paula', givenName: 'Paula (seed)' };
    const options = { clients: [TESTS], users: [GRETE, seed], adminToken: ADMIN_TOKEN, usersFile };

    const first = await startDevIdentityProvider(options);
    let id: string;
    try {
      const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
      const created = await fetch(`${first.issuer}/dev-admin/users`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ email: 'paula@example.org', givenName: 'Paula', familyName: 'Pohl' }),
      });
      // The seed has her already: the admin API finds that account.
      ({ id } = (await created.json()) as { id: string });
      const fresh = await fetch(`${first.issuer}/dev-admin/users`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ email: 'neu@example.org', givenName: 'Nina', familyName: 'Neu' }),
      });
      const { id: newId } = (await fresh.json()) as { id: string };
      await fetch(`${first.issuer}/dev-admin/users/${newId}/execute-actions-email`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ actions: ['VERIFY_EMAIL', 'UPDATE_PASSWORD'] }),
      });
      const { link } = first.actionEmails().at(-1)!;
      const key = new URL(link).searchParams.get('key')!;
      expect(
        (
          await browse(
            new CookieJar(),
            link,
            formPost({ key, 'password-new': 'Kirsche', 'password-confirm': 'Kirsche' }),
          )
        ).status,
      ).toBe(200);
    } finally {
      await first.stop();
    }

    const stored = await readFile(usersFile, 'utf8');
    expect(stored).toContain('neu@example.org');
    expect(stored).not.toContain('Kirsche');
    // Only what the admin API touched is in the file: Paula was found, not changed.
    expect(stored).not.toContain('paula@example.org');

    const second = await startDevIdentityProvider(options);
    try {
      const nina = second.users().find((user) => user.email === 'neu@example.org')!;
      expect(nina).toMatchObject({ emailVerified: true, givenName: 'Nina', username: 'neu@example.org' });
      expect(nina).not.toHaveProperty('password');
      const tokens = await tokensFor(second, 'neu@example.org', 'Kirsche');
      expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: nina.id, email_verified: true });
      // Ids survive a restart, also those of seed users given without one.
      expect(second.users().find((user) => user.email === 'paula@example.org')?.id).toBe(id!);
    } finally {
      await second.stop();
    }

    // The file wins over a seed user with the same e-mail.
    const third = await startDevIdentityProvider({
      ...options,
      users: [GRETE, { ...seed, email: 'NEU@example.org', username: 'nina-seed', givenName: 'Nina (seed)' }],
    });
    try {
      expect(third.users().filter((user) => user.email === 'neu@example.org')).toEqual([
        expect.objectContaining({ givenName: 'Nina', username: 'neu@example.org', emailVerified: true }),
      ]);
    } finally {
      await third.stop();
    }
  });

  it('refuses to start with a broken users file, naming the file and the field', async () => {
    const usersFile = join(dir, 'broken.json');
    await writeFile(
      usersFile,
      JSON.stringify({ version: 1, users: [{ id: 'x', username: 'x', email: 'no' }] }),
    );
    await expect(startDevIdentityProvider({ clients: [], users: [], usersFile })).rejects.toThrow(
      new RegExp(`users file ${usersFile} is invalid: users\\.0\\.email: `),
    );
  });
});
