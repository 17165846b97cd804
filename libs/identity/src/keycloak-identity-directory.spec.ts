import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IdentityDirectoryError } from './dev-identity-directory';
import { KeycloakIdentityDirectory } from './keycloak-identity-directory';

/**
 * The Keycloak directory's HTTP behaviour against a small stand-in for Keycloak's token
 * endpoint and users API (as Keycloak 26 answers them). Real Keycloak: the contract tests
 * in keycloak-identity-directory.int-spec.ts.
 */

const REALM = 'allmende';
const CLIENT_ID = 'allmende-provisioning';
const SECRET = 'provisioning-secret-do-not-print';

interface StoredUser {
  id: string;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  enabled: boolean;
  emailVerified: boolean;
}

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  authorization: string | undefined;
}

class FakeKeycloak {
  readonly users: StoredUser[] = [];
  readonly requests: Recorded[] = [];
  /** Seconds the next tokens live. */
  tokenLifetime = 300;
  /** Tokens the users API accepts (others: 401). */
  readonly validTokens = new Set<string>();
  /** Answer the next user creation with 409 after someone else created the account. */
  raceOnCreate: StoredUser | undefined;
  private server!: Server;
  private issued = 0;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  tokenRequests(): number {
    return this.requests.filter((request) => request.path.endsWith('/protocol/openid-connect/token')).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const url = new URL(req.url!, this.url);
    // The admin client asks for `/users/`; Keycloak treats it as `/users`.
    url.pathname = url.pathname.replace(/(.)\/+$/, '$1');
    this.requests.push({
      method: req.method!,
      path: url.pathname,
      query: url.searchParams,
      body,
      authorization: req.headers.authorization,
    });
    const json = (status: number, data?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        ...(data === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      });
      res.end(data === undefined ? undefined : JSON.stringify(data));
    };

    if (url.pathname === `/realms/${REALM}/protocol/openid-connect/token` && req.method === 'POST') {
      const form = new URLSearchParams(body);
      const expected = `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}`;
      if (form.get('grant_type') !== 'client_credentials' || req.headers.authorization !== expected) {
        return json(401, {
          error: 'unauthorized_client',
          error_description: 'Invalid client or Invalid client credentials',
        });
      }
      const payload = { exp: Math.floor(Date.now() / 1000) + this.tokenLifetime, n: ++this.issued };
      const token = `header.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.signature`;
      this.validTokens.add(token);
      // Client-credentials tokens come without a refresh token, as in Keycloak.
      return json(200, { access_token: token, expires_in: this.tokenLifetime, token_type: 'Bearer' });
    }

    const users = `/admin/realms/${REALM}/users`;
    if (!url.pathname.startsWith(users)) return json(404, { error: 'Not Found' });
    const bearer = req.headers.authorization?.replace(/^Bearer /, '');
    if (!bearer || !this.validTokens.has(bearer)) return json(401, { error: 'HTTP 401 Unauthorized' });

    if (url.pathname === users && req.method === 'GET') {
      const email = url.searchParams.get('email')?.toLowerCase();
      return json(
        200,
        this.users.filter((user) => user.email.toLowerCase() === email),
      );
    }
    if (url.pathname === users && req.method === 'POST') {
      const user = JSON.parse(body) as Omit<StoredUser, 'id'>;
      if (this.raceOnCreate) {
        this.users.push(this.raceOnCreate);
        this.raceOnCreate = undefined;
        return json(409, { errorMessage: 'User exists with same username' });
      }
      const id = `user-${this.users.length + 1}`;
      this.users.push({ ...user, id });
      return json(201, undefined, { location: `${this.url}${users}/${id}` });
    }
    const actions = /^\/admin\/realms\/[^/]+\/users\/([^/]+)\/execute-actions-email$/.exec(url.pathname);
    if (actions && req.method === 'PUT') {
      if (!this.users.some((user) => user.id === actions[1])) return json(404, { error: 'User not found' });
      if (url.searchParams.get('redirect_uri')?.includes('evil')) {
        return json(400, { errorMessage: 'Invalid redirect uri.' });
      }
      return json(204);
    }
    return json(405, { error: 'Method Not Allowed' });
  }
}

describe('KeycloakIdentityDirectory (HTTP behaviour)', () => {
  let keycloak: FakeKeycloak;
  const directory = (secret = SECRET) =>
    new KeycloakIdentityDirectory({
      url: `${keycloak.url}/`,
      realm: REALM,
      clientId: CLIENT_ID,
      clientSecret: secret,
      portalClientId: 'allmende-portal',
    });

  beforeEach(async () => {
    keycloak = new FakeKeycloak();
    await keycloak.start();
  });
  afterEach(() => keycloak.stop());

  it('creates an account (username = e-mail, not verified), then finds it case-insensitively', async () => {
    const kc = directory();
    const created = await kc.ensureUser({
      email: ' Anna.Weiss@Example.org ',
      givenName: 'Anna',
      familyName: 'Weiß',
    });
    expect(created).toEqual({
      id: 'user-1',
      email: 'anna.weiss@example.org',
      emailVerified: false,
      created: true,
    });
    expect(keycloak.users).toEqual([
      {
        id: 'user-1',
        username: 'anna.weiss@example.org',
        email: 'anna.weiss@example.org',
        firstName: 'Anna',
        lastName: 'Weiß',
        enabled: true,
        emailVerified: false,
      },
    ]);
    const lookup = keycloak.requests.find((request) => request.method === 'GET')!;
    expect(lookup.query.get('exact')).toBe('true');

    const found = await kc.ensureUser({ email: 'ANNA.WEISS@example.org', givenName: 'A', familyName: 'W' });
    expect(found).toEqual({ ...created, created: false });
    expect(keycloak.users).toHaveLength(1);
  });

  it('a 409 on create (created meanwhile) finds the account instead', async () => {
    keycloak.raceOnCreate = {
      id: 'someone-elses',
      username: 'ben@example.org',
      email: 'ben@example.org',
      firstName: 'Ben',
      lastName: 'B',
      enabled: true,
      emailVerified: true,
    };
    const user = await directory().ensureUser({
      email: 'ben@example.org',
      givenName: 'Ben',
      familyName: 'B',
    });
    expect(user).toEqual({
      id: 'someone-elses',
      email: 'ben@example.org',
      emailVerified: true,
      created: false,
    });
  });

  it('sends the set-up e-mail: verify e-mail and set password, for the portal client', async () => {
    const kc = directory();
    const { id } = await kc.ensureUser({ email: 'carla@example.org', givenName: 'Carla', familyName: 'C' });
    await kc.sendInvitation(id, { redirectUri: 'https://allmende.example/t/dorf/', lifespanSeconds: 3600 });
    const sent = keycloak.requests.find((request) => request.method === 'PUT')!;
    expect(sent.path).toBe(`/admin/realms/${REALM}/users/${id}/execute-actions-email`);
    expect(JSON.parse(sent.body)).toEqual(['VERIFY_EMAIL', 'UPDATE_PASSWORD']);
    expect(Object.fromEntries(sent.query)).toEqual({
      client_id: 'allmende-portal',
      redirect_uri: 'https://allmende.example/t/dorf/',
      lifespan: '3600',
    });
  });

  it('signs in once while the token is valid, and again when it is about to expire', async () => {
    const kc = directory();
    await kc.ensureUser({ email: 'a@example.org', givenName: 'A', familyName: 'A' });
    await kc.ensureUser({ email: 'a@example.org', givenName: 'A', familyName: 'A' });
    expect(keycloak.tokenRequests()).toBe(1);

    keycloak.tokenLifetime = 10; // inside the renewal margin: every call needs a new token
    const shortLived = directory();
    await shortLived.ensureUser({ email: 'a@example.org', givenName: 'A', familyName: 'A' });
    await shortLived.ensureUser({ email: 'a@example.org', givenName: 'A', familyName: 'A' });
    expect(keycloak.tokenRequests()).toBe(3);
  });

  it('concurrent calls share one sign-in', async () => {
    const kc = directory();
    await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) =>
        kc.ensureUser({ email: `${name}@example.org`, givenName: name, familyName: name }),
      ),
    );
    expect(keycloak.tokenRequests()).toBe(1);
    expect(keycloak.users).toHaveLength(4);
  });

  it('a token Keycloak no longer accepts (401) is replaced once, and the call succeeds', async () => {
    const kc = directory();
    await kc.ensureUser({ email: 'a@example.org', givenName: 'A', familyName: 'A' });
    keycloak.validTokens.clear(); // e.g. revoked, or Keycloak restarted with new keys
    const user = await kc.ensureUser({ email: 'a@example.org', givenName: 'A', familyName: 'A' });
    expect(user.created).toBe(false);
    expect(keycloak.tokenRequests()).toBe(2);
  });

  it('a wrong secret is an IdentityDirectoryError with the status, never the secret', async () => {
    const wrong = 'wrong-secret-never-printed';
    const error = await directory(wrong)
      .ensureUser({ email: 'a@example.org', givenName: 'A', familyName: 'A' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdentityDirectoryError);
    const message = (error as Error).message;
    expect(message).toBe(
      `Keycloak: signing in as client ${CLIENT_ID} in realm ${REALM} failed: ` +
        '401 Invalid client or Invalid client credentials (check KEYCLOAK_ADMIN_CLIENT_ID and KEYCLOAK_ADMIN_CLIENT_SECRET)',
    );
    expect(message).not.toContain(wrong);
    expect(JSON.stringify(error)).not.toContain(wrong);
  });

  it('an unknown account and a refused redirect URI are one-line IdentityDirectoryErrors', async () => {
    const kc = directory();
    await expect(kc.sendInvitation('no-such-user')).rejects.toThrow(
      new IdentityDirectoryError(
        'Keycloak: sending the set-up e-mail to account no-such-user failed: 404 User not found (no such account)',
      ),
    );
    const { id } = await kc.ensureUser({ email: 'd@example.org', givenName: 'D', familyName: 'D' });
    await expect(kc.sendInvitation(id, { redirectUri: 'https://evil.example/' })).rejects.toThrow(
      `Keycloak: sending the set-up e-mail to account ${id} failed: 400 Invalid redirect uri. ` +
        '(add https://evil.example/ to the valid redirect URIs of client allmende-portal)',
    );
  });

  it('an unreachable Keycloak is an IdentityDirectoryError naming the reason', async () => {
    await keycloak.stop();
    const error = await directory()
      .ensureUser({ email: 'a@example.org', givenName: 'A', familyName: 'A' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdentityDirectoryError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Keycloak: signing in as client ${CLIENT_ID} in realm ${REALM} failed: fetch failed: .*ECONNREFUSED`,
      ),
    );
    keycloak = new FakeKeycloak();
    await keycloak.start(); // for afterEach
  });
});
