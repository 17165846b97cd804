import { randomBytes } from 'node:crypto';
import { IdentityDirectoryError } from './dev-identity-directory';
import { KeycloakIdentityDirectory } from './keycloak-identity-directory';

/**
 * Contract tests against a real Keycloak (docs/identity.md, "Running the Keycloak contract
 * tests"). They run when KEYCLOAK_TEST_URL is set:
 *
 *   KEYCLOAK_TEST_URL                  e.g. http://localhost:8080 (docker/compose.yaml's Keycloak)
 *   KEYCLOAK_TEST_REALM                default allmende
 *   KEYCLOAK_TEST_ADMIN_CLIENT_ID      default allmende-provisioning
 *   KEYCLOAK_TEST_ADMIN_CLIENT_SECRET  the service-account client's secret
 *   KEYCLOAK_TEST_PORTAL_CLIENT_ID     default allmende-portal
 *
 * Sending the set-up e-mail needs SMTP configured in the realm (the realm export points at
 * compose's Mailpit). Each run creates accounts with fresh random e-mails under
 * example.org and leaves them in the realm: use a test realm, not one with real people.
 */
const url = process.env.KEYCLOAK_TEST_URL;
const describeWithKeycloak = url ? describe : describe.skip;
if (!url) process.stderr.write('Keycloak contract tests skipped: KEYCLOAK_TEST_URL is not set\n');

describeWithKeycloak('KeycloakIdentityDirectory against Keycloak (contract)', () => {
  const realm = process.env.KEYCLOAK_TEST_REALM ?? 'allmende';
  const clientId = process.env.KEYCLOAK_TEST_ADMIN_CLIENT_ID ?? 'allmende-provisioning';
  /** Made in beforeAll and the tests: the suite's body runs also when it is skipped (without a URL). */
  const directoryWith = (clientSecret: string) =>
    new KeycloakIdentityDirectory({
      url: url!,
      realm,
      clientId,
      clientSecret,
      portalClientId: process.env.KEYCLOAK_TEST_PORTAL_CLIENT_ID ?? 'allmende-portal',
    });
  let directory: KeycloakIdentityDirectory;
  beforeAll(() => {
    directory = directoryWith(process.env.KEYCLOAK_TEST_ADMIN_CLIENT_SECRET ?? '');
  });
  const freshEmail = () => `contract-${randomBytes(6).toString('hex')}@example.org`;

  it('ensureUser creates an account, then finds the same one (e-mail case-insensitive)', async () => {
    const email = freshEmail();
    const created = await directory.ensureUser({ email, givenName: 'Vertrag', familyName: 'Test' });
    expect(created).toEqual({ id: expect.any(String), email, emailVerified: false, created: true });

    const again = await directory.ensureUser({ email, givenName: 'Vertrag', familyName: 'Test' });
    expect(again).toEqual({ ...created, created: false });

    const shouted = await directory.ensureUser({
      email: email.toUpperCase(),
      givenName: 'Vertrag',
      familyName: 'Test',
    });
    expect(shouted).toEqual({ ...created, created: false });
  });

  it('concurrent ensureUser calls for one e-mail end with one account', async () => {
    const email = freshEmail();
    const users = await Promise.all(
      [1, 2, 3].map(() => directory.ensureUser({ email, givenName: 'Gleich', familyName: 'Zeitig' })),
    );
    expect(new Set(users.map((user) => user.id)).size).toBe(1);
    expect(users.filter((user) => user.created).length).toBeLessThanOrEqual(1);
  });

  it('sendInvitation sends the set-up e-mail (needs SMTP in the realm)', async () => {
    const { id } = await directory.ensureUser({
      email: freshEmail(),
      givenName: 'Ein',
      familyName: 'Ladung',
    });
    await expect(directory.sendInvitation(id, { lifespanSeconds: 3600 })).resolves.toBeUndefined();
  });

  it('sendInvitation for an unknown account is an IdentityDirectoryError (404)', async () => {
    const error = await directory
      .sendInvitation('00000000-0000-0000-0000-000000000000')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdentityDirectoryError);
    expect((error as Error).message).toMatch(/failed: 404 /);
  });

  it('a wrong client secret is an IdentityDirectoryError that does not contain the secret', async () => {
    const secret = `wrong-${randomBytes(8).toString('hex')}`;
    const wrong = directoryWith(secret);
    const error = await wrong
      .ensureUser({ email: freshEmail(), givenName: 'Falsch', familyName: 'Geheim' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdentityDirectoryError);
    expect((error as Error).message).toMatch(/\b401\b/);
    expect((error as Error).message).not.toContain(secret);
  });
});
