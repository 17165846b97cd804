import type { MikroORM } from '@mikro-orm/postgresql';
import { AuditEventSchema } from '@allmende/audit';
import type { Actor } from '@allmende/auth';
import { ProblemException } from '@allmende/core';
import { TenantScope } from '@allmende/db';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../../../test/support/fixtures';
import { MemberSchema, type Member } from './member.entity';
import { MembersService } from './members.service';

/** MembersService against the real database: search, adding, role changes and the last admin. */
describe('MembersService', () => {
  let orm: MikroORM;
  let scope: TenantScope;
  let service: MembersService;

  beforeAll(async () => {
    orm = await openOrm({ poolMax: 6 });
    scope = new TenantScope(orm);
    service = new MembersService(scope);
  });
  afterAll(() => orm.close(true));

  /** A tenant with these members (email, given, family, role). */
  async function tenantWith(rows: [string, string, string, Member['role']][]) {
    const tenant = await createTenant(orm);
    const members = await scope.run(tenant.id, async (em) => {
      const created = rows.map(([email, givenName, familyName, role]) =>
        em.create(MemberSchema, { email, givenName, familyName, role }),
      );
      await em.flush();
      return created;
    });
    return { tenant, members };
  }

  const actorOf = (tenant: Tenant, member: Member): Actor => ({
    person: {
      userId: member.id,
      subject: member.id,
      email: member.email,
      emailVerified: true,
      name: null,
      platformAdmin: false,
    },
    membership: { tenantId: tenant.id, memberId: member.id, role: member.role },
  });
  const audit = (tenant: Tenant) =>
    scope.run(tenant.id, (em) => em.find(AuditEventSchema, {}, { orderBy: { createdAt: 'asc', id: 'asc' } }));
  const roles = (tenant: Tenant) =>
    scope.run(tenant.id, async (em) =>
      Object.fromEntries(
        (await em.find(MemberSchema, {}, { refresh: true })).map((member) => [member.email, member.role]),
      ),
    );

  it('searches by every word in name or e-mail, case-insensitively, with keyset pages', async () => {
    const { tenant } = await tenantWith([
      ['anna.schmidt@example.org', 'Anna', 'Schmidt', 'member'],
      ['bernd.schmidt@example.org', 'Bernd', 'Schmidt', 'member'],
      ['carla@example.org', 'Carla', 'Weber', 'member'],
      ['d_100%@example.org', 'Dora', 'Prozent', 'member'],
    ]);
    await scope.run(tenant.id, async () => {
      const emails = async (search: string, limit = 10, after?: string) =>
        (await service.list(limit, after, search)).items.map((member) => member.email);
      expect(await emails('SCHMIDT')).toEqual(['anna.schmidt@example.org', 'bernd.schmidt@example.org']);
      expect(await emails('anna schm')).toEqual(['anna.schmidt@example.org']);
      expect(await emails('weber@')).toEqual([]);
      expect(await emails('carla@')).toEqual(['carla@example.org']);
      // % and _ are letters: only Dora's address has them.
      expect(await emails('%')).toEqual(['d_100%@example.org']);
      expect(await emails('_1')).toEqual(['d_100%@example.org']);
      expect(await emails('  ')).toHaveLength(4);
      const first = await service.list(1, undefined, 'schmidt');
      expect(first.next).toBe('anna.schmidt@example.org');
      const second = await service.list(1, first.next!, 'schmidt');
      expect(second.items.map((member) => member.email)).toEqual(['bernd.schmidt@example.org']);
      expect(second.next).toBeNull();
    });
  });

  it('adds a member (audited); an e-mail the tenant has is a 409', async () => {
    const { tenant, members } = await tenantWith([['admin@example.org', 'Ada', 'Admin', 'tenant_admin']]);
    const actor = actorOf(tenant, members[0]!);
    await scope.run(tenant.id, async () => {
      const added = await service.add(actor, {
        email: 'Neu@Example.org ',
        givenName: 'Nils',
        familyName: 'Neu',
      });
      expect(added).toMatchObject({ email: 'neu@example.org', role: 'member' });
      expect((await service.getByEmail('NEU@example.org'))?.userId ?? null).toBeNull();
      await expect(
        service.add(actor, { email: 'neu@example.org', givenName: 'N', familyName: '' }),
      ).rejects.toMatchObject({ problem: { status: 409 } });
    });
    expect((await audit(tenant)).map((event) => [event.action, event.details])).toEqual([
      ['members.member.added', { email: 'neu@example.org' }],
    ]);
  });

  it('changes roles (audited), never demotes the last admin, and 404s unknown members', async () => {
    const { tenant, members } = await tenantWith([
      ['ada@example.org', 'Ada', 'Admin', 'tenant_admin'],
      ['max@example.org', 'Max', 'Mitglied', 'member'],
    ]);
    const [ada, max] = members as [Member, Member];
    const actor = actorOf(tenant, ada);
    await scope.run(tenant.id, async () => {
      const refused = await service.changeRole(actor, ada.id, 'member').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ProblemException);
      expect((refused as ProblemException).problem.status).toBe(409);
      await service.changeRole(actor, max.id, 'tenant_admin');
      // Unchanged role: nothing to audit.
      await service.changeRole(actor, max.id, 'tenant_admin');
      // Two admins now: Ada may step down.
      await service.changeRole(actor, ada.id, 'member');
      await expect(
        service.changeRole(actor, '00000000-0000-7000-8000-000000000000', 'member'),
      ).rejects.toMatchObject({
        problem: { status: 404 },
      });
    });
    expect(await roles(tenant)).toEqual({ 'ada@example.org': 'member', 'max@example.org': 'tenant_admin' });
    expect((await audit(tenant)).map((event) => [event.action, event.entityId, event.details])).toEqual([
      ['members.role.changed', max.id, { from: 'member', to: 'tenant_admin' }],
      ['members.role.changed', ada.id, { from: 'tenant_admin', to: 'member' }],
    ]);
  });

  it('keeps one admin when two admins demote each other at the same time', async () => {
    for (let round = 0; round < 3; round++) {
      const { tenant, members } = await tenantWith([
        ['ada@example.org', 'Ada', 'A', 'tenant_admin'],
        ['bea@example.org', 'Bea', 'B', 'tenant_admin'],
      ]);
      const [ada, bea] = members as [Member, Member];
      const results = await Promise.allSettled([
        scope.run(tenant.id, () => service.changeRole(actorOf(tenant, ada), bea.id, 'member')),
        scope.run(tenant.id, () => service.changeRole(actorOf(tenant, bea), ada.id, 'member')),
      ]);
      expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
      const rejected = results.find((result) => result.status === 'rejected')!;
      expect((rejected.reason as ProblemException).problem.status).toBe(409);
      const after = Object.values(await roles(tenant));
      expect(after.filter((role) => role === 'tenant_admin')).toHaveLength(1);
    }
  });

  it("never reads or changes another tenant's members", async () => {
    const a = await tenantWith([['same@example.org', 'Anna', 'A', 'tenant_admin']]);
    const b = await tenantWith([['same@example.org', 'Berta', 'B', 'tenant_admin']]);
    await scope.run(b.tenant.id, async () => {
      expect((await service.list(10)).items.map((member) => member.givenName)).toEqual(['Berta']);
      expect(await service.get(a.members[0]!.id)).toBeNull();
      expect(await service.names([a.members[0]!.id])).toEqual(new Map());
      await expect(
        service.changeRole(actorOf(b.tenant, b.members[0]!), a.members[0]!.id, 'member'),
      ).rejects.toMatchObject({ problem: { status: 404 } });
    });
    expect(await roles(a.tenant)).toEqual({ 'same@example.org': 'tenant_admin' });
  });
});
