import type { INestApplication } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import type { DevIdentityProvider } from '@allmende/dev-idp';
import { GroupMemberSchema, GroupSchema, type JoinPolicy, type GroupVisibility } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { OutboxEventSchema } from '@allmende/outbox';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../support/fixtures';
import { passwordToken, startApiWithIdentityProvider } from '../support/identity';

/** Asking to join groups, and deciding on it, through the API with real tokens. */
describe('joining groups', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let app: INestApplication;
  let base: string;
  let tenant: Tenant;
  const people = {
    admin: { email: 'rathaus@example.org', givenName: 'Rita', familyName: 'Rathaus', emailVerified: true },
    steward: {
      email: 'huettenwart@example.org',
      givenName: 'Hugo',
      familyName: 'Hütte',
      emailVerified: true,
    },
    member: {
      email: 'mia.mitglied@example.org',
      givenName: 'Mia',
      familyName: 'Mitglied',
      emailVerified: true,
    },
    outsider: {
      email: 'olaf.neu@example.org',
      givenName: 'Olaf',
      familyName: 'Neubürger',
      emailVerified: true,
    },
  };

  const call = async (method: string, path: string, email?: string, body?: unknown) =>
    fetch(`${base}/api/tenants/${tenant.slug}${path}`, {
      method,
      headers: {
        ...(email ? { authorization: `Bearer ${await passwordToken(idp, email)}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Beitritt');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const member = (email: string, role: 'tenant_admin' | 'member' = 'member') =>
        em.create(MemberSchema, { email, givenName: 'X', familyName: 'Y', role });
      const admin = member(people.admin.email, 'tenant_admin');
      const steward = member(people.steward.email);
      member(people.member.email);
      const group = (key: string, visibility: GroupVisibility, joinPolicy: JoinPolicy) =>
        em.create(GroupSchema, { key, name: { de: key }, visibility, joinPolicy });
      group('neuigkeiten', 'public', 'open');
      const hut = group('grillhuette', 'members', 'request');
      group('vorstand', 'private', 'invite');
      group('chor', 'members', 'open');
      em.create(GroupMemberSchema, { group: hut, member: steward, role: 'group_admin' });
      void admin;
      await em.flush();
    });
    ({ app, idp, base } = await startApiWithIdentityProvider(Object.values(people)));
  });

  afterAll(async () => {
    await app?.close();
    await idp?.stop();
    await orm?.close(true);
  });

  it('lets a member join an open group at once, and says so the second time', async () => {
    const first = await call('POST', '/groups/chor/join', people.member.email);
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ status: 'joined' });
    const second = await call('POST', '/groups/chor/join', people.member.email);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ status: 'member' });
  });

  it('turns a request-policy group into a request the group admin decides', async () => {
    const asked = await call('POST', '/groups/grillhuette/join', people.member.email, {
      message: 'Ich grille gern.',
    });
    expect(asked.status).toBe(202);
    const { requestId } = (await asked.json()) as { requestId: string };
    // Asking twice is the same request.
    expect(await (await call('POST', '/groups/grillhuette/join', people.member.email)).json()).toEqual({
      status: 'requested',
      requestId,
    });
    // A plain member may not see or decide requests.
    expect((await call('GET', '/groups/grillhuette/join-requests', people.member.email)).status).toBe(403);
    const list = await call('GET', '/groups/grillhuette/join-requests', people.steward.email);
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([
      expect.objectContaining({
        id: requestId,
        email: people.member.email,
        tenantMember: true,
        message: 'Ich grille gern.',
      }),
    ]);
    const approved = await call(
      'POST',
      `/groups/grillhuette/join-requests/${requestId}/approve`,
      people.steward.email,
    );
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ status: 'approved' });
    expect(await (await call('POST', '/groups/grillhuette/join', people.member.email)).json()).toEqual({
      status: 'member',
    });
    // Deciding again is a conflict, not a second change.
    expect(
      (await call('POST', `/groups/grillhuette/join-requests/${requestId}/decline`, people.steward.email))
        .status,
    ).toBe(409);
  });

  it('lets a person without membership ask to join a public group; only a tenant admin lets them in', async () => {
    const asked = await call('POST', '/groups/neuigkeiten/join', people.outsider.email);
    expect(asked.status).toBe(202);
    const { requestId } = (await asked.json()) as { requestId: string };
    // They cannot see groups for members, nor private ones: as if they did not exist.
    expect((await call('POST', '/groups/grillhuette/join', people.outsider.email)).status).toBe(404);
    expect((await call('POST', '/groups/vorstand/join', people.outsider.email)).status).toBe(404);

    // The tenant admin (group admin of every group) approves; the person becomes a member.
    const approved = await call(
      'POST',
      `/groups/neuigkeiten/join-requests/${requestId}/approve`,
      people.admin.email,
    );
    expect(approved.status).toBe(200);
    const me = await call('GET', '/members/me', people.outsider.email);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: people.outsider.email, role: 'member', signedIn: true });
  });

  it('writes the decisions to the audit log (tenant admins read it) and to the outbox', async () => {
    const asked = await call('POST', '/groups/grillhuette/join', people.admin.email);
    const { requestId } = (await asked.json()) as { requestId: string };
    expect(
      (await call('POST', `/groups/grillhuette/join-requests/${requestId}/decline`, people.steward.email))
        .status,
    ).toBe(200);

    expect((await call('GET', '/audit', people.member.email)).status).toBe(403);
    expect((await call('GET', '/audit')).status).toBe(401);
    const first = await call('GET', '/audit?limit=1', people.admin.email);
    expect(first.status).toBe(200);
    const page = (await first.json()) as {
      items: { action: string; entityId: string }[];
      nextCursor: string | null;
    };
    expect(page.items).toEqual([
      expect.objectContaining({ action: 'groups.join.declined', entityId: requestId }),
    ]);
    expect(page.nextCursor).not.toBeNull();
    const rest = (await (
      await call('GET', `/audit?cursor=${page.nextCursor}`, people.admin.email)
    ).json()) as {
      items: { action: string }[];
    };
    expect(rest.items.map((item) => item.action)).toContain('groups.join.approved');
    expect((await call('GET', '/audit?cursor=kaputt', people.admin.email)).status).toBe(400);

    const topics = await new TenantScope(orm).run(tenant.id, async (em) =>
      (await em.find(OutboxEventSchema, {}, { orderBy: { createdAt: 'asc' } })).map((event) => event.topic),
    );
    expect(topics).toEqual(
      expect.arrayContaining(['groups.join.requested', 'groups.join.approved', 'groups.join.declined']),
    );
  });

  it('refuses invitation-only groups with 403, unknown groups with 404, bad bodies with 400', async () => {
    expect((await call('POST', '/groups/vorstand/join', people.admin.email)).status).toBe(404); // private, not in it
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const admin = await em.findOneOrFail(MemberSchema, { email: people.admin.email });
      const board = await em.findOneOrFail(GroupSchema, { key: 'vorstand' });
      board.visibility = 'members';
      void admin;
      await em.flush();
    });
    expect((await call('POST', '/groups/vorstand/join', people.member.email)).status).toBe(403);
    expect((await call('POST', '/groups/gibt-es-nicht/join', people.member.email)).status).toBe(404);
    const bad = await call('POST', '/groups/chor/join', people.member.email, { message: 'x', tenantId: 'b' });
    expect(bad.status).toBe(400);
    expect((await call('POST', '/groups/chor/join')).status).toBe(401);
  });
});
