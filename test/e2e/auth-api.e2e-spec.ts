import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { GroupMemberSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { connect, createTenant, openOrm } from '../support/fixtures';
import { mintToken, passwordToken, startApiWithIdentityProvider } from '../support/identity';
import { testRun } from '../support/test-run';

/**
 * The API's authentication and authorisation against a running dev identity provider over
 * HTTP: real tokens from its token endpoint, verified by keycloak-connect against its keys.
 */
describe('API authentication and authorisation', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let tenantA: Tenant;
  let tenantB: Tenant;
  const people = {
    anna: {
      email: 'anna.schmidt@example.org',
      givenName: 'Anna',
      familyName: 'Schmidt',
      emailVerified: true,
    },
    bernd: {
      email: 'bernd.admin@example.org',
      givenName: 'Bernd',
      familyName: 'Becker',
      emailVerified: true,
    },
    carla: { email: 'carla.b@example.org', givenName: 'Carla', familyName: 'Braun', emailVerified: true },
    dora: {
      email: 'dora.unbestaetigt@example.org',
      givenName: 'Dora',
      familyName: 'Dietz',
      emailVerified: false,
    },
    paul: { email: 'paul.zweifach@example.org', givenName: 'Paul', familyName: 'Pohl', emailVerified: true },
    otto: {
      email: 'otto.operator@example.org',
      givenName: 'Otto',
      familyName: 'Opitz',
      emailVerified: true,
      realmRoles: ['platform_admin'],
    },
    // Case differs from the member row: e-mails are compared normalised.
    erik: { email: 'Erik.Gross@Example.org', givenName: 'Erik', familyName: 'Groß', emailVerified: true },
  };

  const get = (path: string, token?: string) =>
    fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  async function addMembers(tenant: Tenant, rows: { email: string; role?: 'tenant_admin' | 'member' }[]) {
    await new TenantScope(orm).run(tenant.id, async (em) => {
      for (const row of rows) {
        em.create(MemberSchema, {
          email: row.email,
          givenName: row.email.split('.')[0]!,
          familyName: 'Test',
          role: row.role ?? 'member',
        });
      }
      await em.flush();
    });
  }

  beforeAll(async () => {
    orm = await openOrm();
    tenantA = await createTenant(orm, 'Ortsgemeinde Alpha');
    tenantB = await createTenant(orm, 'Ortsgemeinde Beta');
    await addMembers(tenantA, [
      { email: people.anna.email },
      { email: people.bernd.email, role: 'tenant_admin' },
      { email: people.dora.email },
      { email: people.paul.email },
      { email: 'erik.gross@example.org' },
    ]);
    await addMembers(tenantB, [
      { email: people.carla.email },
      { email: people.paul.email, role: 'tenant_admin' },
    ]);
    await new TenantScope(orm).run(tenantA.id, async (em) => {
      const anna = await em.findOneOrFail(MemberSchema, { email: people.anna.email });
      const group = em.create(GroupSchema, {
        key: 'grillhuette',
        name: { de: 'Grillhütte' },
        visibility: 'members',
      });
      em.create(GroupMemberSchema, { group, member: anna, role: 'group_admin' });
      await em.flush();
    });

    ({ app, idp, base } = await startApiWithIdentityProvider(Object.values(people)));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  describe('tokens', () => {
    it('accepts a valid token from the provider', async () => {
      const response = await get(
        `/api/tenants/${tenantA.slug}/members/me`,
        await passwordToken(idp, people.anna.email),
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        email: people.anna.email,
        role: 'member',
        signedIn: true,
      });
    });

    it('refuses a request without a token with 401 problem+json and WWW-Authenticate', async () => {
      const response = await get(`/api/tenants/${tenantA.slug}/members/me`);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toMatchObject({ type: '/problems/unauthorized', status: 401 });
    });

    it.each([
      ['a tampered signature', async () => flipLastChar(await passwordToken(idp, people.anna.email))],
      ['a tampered payload', async () => tamperPayload(await passwordToken(idp, people.anna.email))],
      [
        'an expired token',
        () =>
          mintToken(idp, {
            sub: 'x',
            exp: Math.floor(Date.now() / 1000) - 60,
            iat: Math.floor(Date.now() / 1000) - 400,
          }),
      ],
      ['a wrong issuer', () => mintToken(idp, { iss: 'http://127.0.0.1:1/realms/allmende' })],
      ['another realm on the same server', () => mintToken(idp, { iss: `${idp.url}/realms/other` })],
      ['a wrong audience', () => mintToken(idp, { aud: ['account'] })],
      ['an ID token instead of an access token', () => mintToken(idp, { typ: 'ID' })],
      ['alg: none', async () => algNone(await passwordToken(idp, people.anna.email))],
      ['an unknown key id', () => mintToken(idp, {}, { kid: 'not-a-key-of-the-realm' })],
      ['garbage', () => Promise.resolve('not-a-jwt')],
    ])('refuses %s with 401', async (_label, token) => {
      const response = await get(`/api/tenants/${tenantA.slug}/members/me`, await token());
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(await response.json()).toMatchObject({ type: '/problems/unauthorized' });
    });

    it('refuses a token that verified before, once it has expired (verified tokens are remembered)', async () => {
      const exp = Math.floor(Date.now() / 1000) + 2;
      const token = await mintToken(idp, { sub: randomUUID(), email: 'short-lived@example.org', exp });
      expect((await get('/api/me', token)).status).toBe(200);
      expect((await get('/api/me', token)).status).toBe(200);
      // keycloak-connect's rule: expired once exp (seconds) is in the past.
      await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
      const response = await get('/api/me', token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });

    it('refuses an Authorization header that is not Bearer', async () => {
      const response = await fetch(`${base}/api/me`, { headers: { authorization: 'Basic YW5uYTpwdw==' } });
      expect(response.status).toBe(401);
    });

    it('verifies locally: the provider sees no request per API request at steady state', async () => {
      const token = await passwordToken(idp, people.anna.email);
      await get('/api/me', token);
      const before = idp.requestCount();
      for (let index = 0; index < 20; index++) expect((await get('/api/me', token)).status).toBe(200);
      expect(idp.requestCount()).toBe(before);
      // The keys were fetched once for all of the above.
      expect(idp.requestCount(`/realms/${idp.realm}/protocol/openid-connect/certs`)).toBe(1);
    });
  });

  describe('tenants and roles', () => {
    it("answers a member of A asking for tenant B's data with 404 and no data", async () => {
      const token = await passwordToken(idp, people.anna.email);
      for (const path of [
        `/api/tenants/${tenantB.slug}/members/me`,
        `/api/tenants/${tenantB.slug}/members`,
      ]) {
        const response = await get(path, token);
        expect(response.status).toBe(404);
        const text = await response.text();
        expect(text).not.toContain(people.carla.email);
        expect(text).not.toContain('Beta');
      }
      // The same 404 as a tenant that does not exist.
      const unknown = await get('/api/tenants/gibt-es-nicht/members/me', token);
      expect(unknown.status).toBe(404);
    });

    it('answers a member calling an admin route with 403, and lets the tenant admin in', async () => {
      const member = await get(
        `/api/tenants/${tenantA.slug}/members`,
        await passwordToken(idp, people.anna.email),
      );
      expect(member.status).toBe(403);
      expect(await member.json()).toMatchObject({ type: '/problems/forbidden' });
      const admin = await get(
        `/api/tenants/${tenantA.slug}/members?limit=2`,
        await passwordToken(idp, people.bernd.email),
      );
      expect(admin.status).toBe(200);
      const page = (await admin.json()) as { items: { email: string }[]; next: string | null };
      expect(page.items).toHaveLength(2);
      expect(page.next).toBe(page.items[1]!.email);
      const rest = await get(
        `/api/tenants/${tenantA.slug}/members?after=${encodeURIComponent(page.next!)}`,
        await passwordToken(idp, people.bernd.email),
      );
      const emails = [...page.items, ...((await rest.json()) as { items: { email: string }[] }).items].map(
        (m) => m.email,
      );
      expect(emails).toHaveLength(5);
      expect(new Set(emails).size).toBe(5);
    });

    it('lets a person be admin in one tenant and member in another', async () => {
      const token = await passwordToken(idp, people.paul.email);
      expect((await get(`/api/tenants/${tenantB.slug}/members`, token)).status).toBe(200);
      expect((await get(`/api/tenants/${tenantA.slug}/members`, token)).status).toBe(403);
    });

    it('lets platform_admin reach operator routes, and nobody else', async () => {
      const operator = await get('/api/platform/tenants', await passwordToken(idp, people.otto.email));
      expect(operator.status).toBe(200);
      const slugs = ((await operator.json()) as { slug: string }[]).map((tenant) => tenant.slug);
      expect(slugs).toEqual(expect.arrayContaining([tenantA.slug, tenantB.slug]));
      expect((await get('/api/platform/tenants', await passwordToken(idp, people.bernd.email))).status).toBe(
        403,
      );
      expect((await get('/api/platform/tenants')).status).toBe(401);
      // An operator is not a member of any tenant: tenant routes stay closed.
      expect(
        (await get(`/api/tenants/${tenantA.slug}/members`, await passwordToken(idp, people.otto.email)))
          .status,
      ).toBe(404);
    });

    it('keeps public routes open to anonymous callers', async () => {
      expect((await get(`/api/tenants/${tenantA.slug}`)).status).toBe(200);
      expect((await get(`/api/tenants/${tenantA.slug}/groups`)).status).toBe(200);
      expect((await get('/health/live')).status).toBe(200);
    });
  });

  describe('first login', () => {
    async function userIdOf(tenant: Tenant, email: string): Promise<string | null> {
      const client = await connect(testRun().ownerUrl);
      try {
        await client.query(`select set_config('app.tenant_id', $1, false)`, [tenant.id]);
        const result = await client.query<{ user_id: string | null }>(
          'select user_id from members where email = $1',
          [email],
        );
        return result.rows[0]!.user_id;
      } finally {
        await client.end();
      }
    }

    it('links the person to member rows with the same verified e-mail in every tenant', async () => {
      const response = await get('/api/me', await passwordToken(idp, people.paul.email));
      expect(response.status).toBe(200);
      const me = (await response.json()) as { userId: string; communities: { slug: string; role: string }[] };
      expect(me.communities.map((community) => [community.slug, community.role]).sort()).toEqual(
        [
          [tenantA.slug, 'member'],
          [tenantB.slug, 'tenant_admin'],
        ].sort(),
      );
      expect(await userIdOf(tenantA, people.paul.email)).toBe(me.userId);
      expect(await userIdOf(tenantB, people.paul.email)).toBe(me.userId);
    });

    it('compares e-mails normalised (case)', async () => {
      const me = (await (await get('/api/me', await passwordToken(idp, people.erik.email))).json()) as {
        userId: string;
        communities: unknown[];
      };
      expect(me.communities).toHaveLength(1);
      expect(await userIdOf(tenantA, 'erik.gross@example.org')).toBe(me.userId);
    });

    it('links nothing by an unverified e-mail', async () => {
      const token = await passwordToken(idp, people.dora.email);
      const me = (await (await get('/api/me', token)).json()) as {
        emailVerified: boolean;
        communities: unknown[];
      };
      expect(me).toMatchObject({ emailVerified: false, communities: [] });
      expect((await get(`/api/tenants/${tenantA.slug}/members/me`, token)).status).toBe(404);
      expect(await userIdOf(tenantA, people.dora.email)).toBeNull();
    });

    it('a person without membership reaches only public routes and their own /api/me', async () => {
      const token = await passwordToken(idp, people.otto.email);
      expect((await get('/api/me', token)).status).toBe(200);
      expect((await get(`/api/tenants/${tenantA.slug}/groups`, token)).status).toBe(200);
      expect((await get(`/api/tenants/${tenantA.slug}/members/me`, token)).status).toBe(404);
    });
  });
});

function flipLastChar(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.at(-1)}`;
}

/** The payload changed (another subject), the signature kept. */
function tamperPayload(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  claims.realm_access = { roles: ['platform_admin'] };
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

/** The same claims, "signed" with alg none. */
function algNone(token: string): string {
  const [, payload] = token.split('.');
  return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
}
