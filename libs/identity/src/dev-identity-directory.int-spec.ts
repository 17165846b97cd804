import { startDevIdentityProvider, type DevIdentityProvider } from '@allmende/dev-idp';
import { DevIdentityDirectory, IdentityDirectoryError } from './dev-identity-directory';

const ADMIN_TOKEN = 'directory-admin-token-0123456789';

/** DevIdentityDirectory against a started dev identity provider, over HTTP. */
describe('DevIdentityDirectory', () => {
  let idp: DevIdentityProvider;
  let directory: DevIdentityDirectory;

  beforeAll(async () => {
    idp = await startDevIdentityProvider({
      clients: [],
      users: [
        {
          username: 'vera',
          password: 'demo',
          email: 'vera@example.org',
          emailVerified: true,
          givenName: 'Vera',
          familyName: 'Voss',
        },
      ],
      adminToken: ADMIN_TOKEN,
    });
    directory = new DevIdentityDirectory({ url: idp.url, realm: idp.realm, adminToken: ADMIN_TOKEN });
  });
  afterAll(() => idp.stop());

  it('ensureUser creates the account once: created true, then the same id with created false', async () => {
    const person = { email: 'Jana.Berg@example.org', givenName: 'Jana', familyName: 'Berg' };
    const first = await directory.ensureUser(person);
    expect(first).toEqual({
      id: expect.any(String),
      email: 'jana.berg@example.org',
      emailVerified: false,
      created: true,
    });
    const again = await directory.ensureUser({ ...person, email: 'JANA.BERG@EXAMPLE.ORG' });
    expect(again).toEqual({ ...first, created: false });
    expect(idp.users().filter((user) => user.email === 'jana.berg@example.org')).toHaveLength(1);
  });

  it('ensureUser reports an existing account’s verified e-mail', async () => {
    const vera = await directory.ensureUser({
      email: 'vera@example.org',
      givenName: 'Vera',
      familyName: 'Voss',
    });
    expect(vera).toEqual({
      id: idp.users().find((user) => user.email === 'vera@example.org')!.id,
      email: 'vera@example.org',
      emailVerified: true,
      created: false,
    });
  });

  it('concurrent ensureUser calls for one e-mail end with one account', async () => {
    const person = { email: 'gleich@example.org', givenName: 'Gleich', familyName: 'Zeitig' };
    const users = await Promise.all([1, 2, 3].map(() => directory.ensureUser(person)));
    expect(new Set(users.map((user) => user.id)).size).toBe(1);
    expect(users.filter((user) => user.created)).toHaveLength(1);
  });

  it('sendInvitation records the set-up e-mail (verify e-mail, set password) with redirect and lifespan', async () => {
    const { id } = await directory.ensureUser({
      email: 'max@example.org',
      givenName: 'Max',
      familyName: 'Mai',
    });
    await directory.sendInvitation(id, {
      redirectUri: 'http://127.0.0.1:3999/t/ransbach-baumbach/',
      lifespanSeconds: 7 * 24 * 3600,
    });
    expect(idp.actionEmails().at(-1)).toEqual({
      userId: id,
      email: 'max@example.org',
      actions: ['VERIFY_EMAIL', 'UPDATE_PASSWORD'],
      link: expect.stringContaining(`${idp.issuer}/login-actions/action-token?key=`),
      redirectUri: 'http://127.0.0.1:3999/t/ransbach-baumbach/',
      sentAt: expect.any(String),
    });
    await directory.sendInvitation(id);
    expect(idp.actionEmails().at(-1)).not.toHaveProperty('redirectUri');
  });

  it('an unknown account is an IdentityDirectoryError with status and reason', async () => {
    await expect(directory.sendInvitation('no-such-user')).rejects.toThrow(
      new IdentityDirectoryError(
        'dev identity provider: sending the set-up e-mail to account no-such-user failed: 404 User not found (no such account)',
      ),
    );
  });

  it('a wrong admin token is an IdentityDirectoryError naming the status, never the token', async () => {
    const wrong = new DevIdentityDirectory({
      url: idp.url,
      realm: idp.realm,
      adminToken: `${ADMIN_TOKEN}-wrong`,
    });
    const error = await wrong
      .ensureUser({ email: 'nope@example.org', givenName: 'No', familyName: 'Pe' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdentityDirectoryError);
    expect((error as Error).message).toBe(
      'dev identity provider: creating the account of nope@example.org failed: 401 a valid admin bearer token is required (check DEV_IDP_ADMIN_TOKEN)',
    );
    expect((error as Error).message).not.toContain(ADMIN_TOKEN);
    expect(idp.users().some((user) => user.email === 'nope@example.org')).toBe(false);
    await expect(wrong.sendInvitation('x')).rejects.toThrow(IdentityDirectoryError);
  });

  it('an unreachable provider is an IdentityDirectoryError naming the reason', async () => {
    const stopped = await startDevIdentityProvider({ clients: [], users: [], adminToken: ADMIN_TOKEN });
    await stopped.stop();
    const gone = new DevIdentityDirectory({
      url: stopped.url,
      realm: stopped.realm,
      adminToken: ADMIN_TOKEN,
    });
    const error = await gone
      .ensureUser({ email: 'a@example.org', givenName: 'A', familyName: 'B' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdentityDirectoryError);
    expect((error as Error).message).toMatch(
      /^dev identity provider: creating the account of a@example\.org failed: fetch failed: .*ECONNREFUSED/,
    );
  });

  it('uses the fetch it is given', async () => {
    const calls: string[] = [];
    const recording: typeof fetch = (input, init) => {
      calls.push(`${init?.method} ${String(input)}`);
      return fetch(input, init);
    };
    const recorded = new DevIdentityDirectory({
      url: `${idp.url}/`,
      realm: idp.realm,
      adminToken: ADMIN_TOKEN,
      fetch: recording,
    });
    await recorded.ensureUser({ email: 'lisa@example.org', givenName: 'Lisa', familyName: 'Lenz' });
    expect(calls).toEqual([`POST ${idp.issuer}/dev-admin/users`]);
  });
});
