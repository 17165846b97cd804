import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AuditEventSchema } from '@allmende/audit';
import type { Actor } from '@allmende/auth';
import type { AppConfig } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import { startDevIdentityProvider, type DevIdentityProvider } from '@allmende/dev-idp';
import { MemberSchema, MembersService } from '@allmende/members';
import { createTenantWithMembers, openOrm } from '../../../test/support/fixtures';
import { testConfig } from '../../../test/support/test-config';
import { MemberInvitationService } from './member-invitation.service';

const ADMIN_TOKEN = randomBytes(24).toString('hex');

/** Invitations from the web: one person, added when new, sent through the configured directory, audited. */
describe('MemberInvitationService', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let scope: TenantScope;

  beforeAll(async () => {
    orm = await openOrm();
    scope = new TenantScope(orm);
    idp = await startDevIdentityProvider({
      clients: [],
      users: [],
      adminToken: ADMIN_TOKEN,
      nodeEnv: 'test',
    });
  });
  afterAll(async () => {
    await idp.stop();
    await orm.close(true);
  });

  const service = (config: AppConfig) =>
    new MemberInvitationService(orm as never, scope, new MembersService(scope), config);
  const actor = (tenantId: string): Actor => ({
    person: null,
    membership: { tenantId, memberId: '00000000-0000-7000-8000-000000000001', role: 'tenant_admin' },
  });

  it('adds a new person, invites them once, and audits both', async () => {
    const tenant = await createTenantWithMembers(orm, [{ email: 'alt.bekannt@example.org' }]);
    const invitations = service(
      testConfig({
        IDENTITY_DIRECTORY: 'dev',
        KEYCLOAK_URL: idp.url,
        DEV_IDP_ADMIN_TOKEN: ADMIN_TOKEN,
        PUBLIC_URL: 'https://portal.example.org/',
      }),
    );
    const result = await scope.run(tenant.id, () =>
      invitations.invite(actor(tenant.id), tenant.id, {
        email: 'Frieda.Neu@example.org',
        givenName: 'Frieda',
        familyName: 'Neu',
      }),
    );
    expect(result).toMatchObject({ added: true, outcome: { status: 'invited' } });
    const mails = idp.actionEmails().filter((mail) => mail.email === 'frieda.neu@example.org');
    expect(mails.map((mail) => mail.redirectUri)).toEqual(['https://portal.example.org/me']);
    // Again: invited already, nothing sent; with resend: sent again.
    const again = await scope.run(tenant.id, () =>
      invitations.invite(actor(tenant.id), tenant.id, { email: 'frieda.neu@example.org' }),
    );
    expect(again).toMatchObject({ added: false, outcome: { status: 'already_invited' } });
    await scope.run(tenant.id, () =>
      invitations.invite(actor(tenant.id), tenant.id, { email: 'frieda.neu@example.org', resend: true }),
    );
    expect(idp.actionEmails().filter((mail) => mail.email === 'frieda.neu@example.org')).toHaveLength(2);
    // A new person without a name: refused before anything is written.
    await expect(
      scope.run(tenant.id, () =>
        invitations.invite(actor(tenant.id), tenant.id, { email: 'ohne.name@example.org' }),
      ),
    ).rejects.toMatchObject({ problem: { status: 400, errors: [{ path: 'givenName' }] } });
    const { events, members } = await scope.run(tenant.id, async (em) => ({
      events: await em.find(AuditEventSchema, {}, { orderBy: { createdAt: 'asc', id: 'asc' } }),
      members: (await em.find(MemberSchema, {}, { orderBy: { email: 'asc' } })).map((member) => member.email),
    }));
    expect(events.map((event) => [event.action, event.details])).toEqual([
      ['members.member.added', { email: 'frieda.neu@example.org' }],
      ['members.member.invited', { email: 'frieda.neu@example.org', resend: false }],
      ['members.member.invited', { email: 'frieda.neu@example.org', resend: true }],
    ]);
    expect(members).toEqual(['alt.bekannt@example.org', 'frieda.neu@example.org']);
  });

  it('answers 503 and changes nothing when no identity directory is configured', async () => {
    const tenant = await createTenantWithMembers(orm, []);
    // IDENTITY_DIRECTORY defaults to keycloak, whose admin client secret is missing here.
    const invitations = service(testConfig());
    await expect(
      scope.run(tenant.id, () =>
        invitations.invite(actor(tenant.id), tenant.id, { email: 'x@example.org', givenName: 'X' }),
      ),
    ).rejects.toMatchObject({
      problem: { status: 503, detail: expect.stringContaining('KEYCLOAK_ADMIN_CLIENT_SECRET') },
    });
    expect(await scope.run(tenant.id, (em) => em.count(MemberSchema, {}))).toBe(0);
  });
});
