import type { MikroORM } from '@mikro-orm/postgresql';
import { AuditEventSchema } from '@allmende/audit';
import type { Actor } from '@allmende/auth';
import { TenantScope } from '@allmende/db';
import { MemberSchema, UserSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../../../test/support/fixtures';
import { GroupJoinRequestSchema } from './group-join-request.entity';
import { GroupJoiningService } from './group-joining.service';
import { GroupMemberSchema } from './group-member.entity';
import { GroupSchema } from './group.entity';
import { groupSettingsBody, GroupsService } from './groups.service';

/** The tenant admins' side of GroupsService and GroupJoiningService, against the real database. */
describe('GroupsService (admin) and the tenant-wide join queue', () => {
  let orm: MikroORM;
  let scope: TenantScope;
  let groups: GroupsService;
  let joining: GroupJoiningService;

  beforeAll(async () => {
    orm = await openOrm();
    scope = new TenantScope(orm);
    groups = new GroupsService(scope);
    joining = new GroupJoiningService(scope);
  });
  afterAll(() => orm.close(true));

  /** A tenant with an admin, groups `chor` (2 members) and `sport`, and `requests` pending join requests to `chor`. */
  async function seed(label: string, requests = 0) {
    const tenant = await createTenant(orm, `Gemeinde ${label}`);
    const global = orm.em.fork();
    const users = Array.from({ length: requests }, (_, index) =>
      global.create(UserSchema, {
        oidcSubject: `${tenant.slug}-${index}`,
        email: `asker${index}.${tenant.slug}@example.org`,
        emailVerified: true,
        displayName: `Asker ${index}`,
      }),
    );
    await global.flush();
    return scope.run(tenant.id, async (em) => {
      const admin = em.create(MemberSchema, {
        email: `admin.${tenant.slug}@example.org`,
        givenName: 'Ada',
        familyName: label,
        role: 'tenant_admin',
      });
      const other = em.create(MemberSchema, {
        email: `o.${tenant.slug}@example.org`,
        givenName: 'O',
        familyName: label,
      });
      await em.flush();
      const chor = em.create(GroupSchema, {
        key: 'chor',
        name: { de: `Chor ${label}` },
        visibility: 'members',
        joinPolicy: 'request',
        position: 1,
      });
      const sport = em.create(GroupSchema, { key: 'sport', name: { de: 'Sport' }, position: 2 });
      em.create(GroupMemberSchema, { group: chor, member: admin, role: 'group_admin' });
      em.create(GroupMemberSchema, { group: chor, member: other });
      for (const user of users) em.create(GroupJoinRequestSchema, { group: chor, userId: user.id });
      await em.flush();
      const actor: Actor = {
        person: null,
        membership: { tenantId: tenant.id, memberId: admin.id, role: 'tenant_admin' },
      };
      return { tenant, actor, chor, sport };
    });
  }

  const auditOf = (tenant: Tenant) =>
    scope.run(tenant.id, (em) => em.find(AuditEventSchema, {}, { orderBy: { createdAt: 'asc', id: 'asc' } }));

  it('lists every group with member and pending request counts, in the template order', async () => {
    const { tenant } = await seed('Liste', 2);
    await scope.run(tenant.id, async () => {
      const overview = await groups.overview();
      expect(
        overview.map(({ group, members, pendingRequests }) => [group.key, members, pendingRequests]),
      ).toEqual([
        ['chor', 2, 2],
        ['sport', 0, 0],
      ]);
    });
  });

  it('changes the settings, audits each changed field, and writes nothing for no change', async () => {
    const { tenant, actor } = await seed('Einstellungen');
    await scope.run(tenant.id, async () => {
      const input = groupSettingsBody.parse({
        name: { de: 'Kirchenchor', en: 'Church choir' },
        description: { de: 'Donnerstags' },
        visibility: 'public',
        joinPolicy: 'open',
      });
      const changed = await groups.updateSettings(actor, 'CHOR', input);
      expect(changed).toMatchObject({
        visibility: 'public',
        joinPolicy: 'open',
        name: { de: 'Kirchenchor', en: 'Church choir' },
      });
      // The same again, and only a visibility change later.
      await groups.updateSettings(actor, 'chor', input);
      await groups.updateSettings(actor, 'chor', { visibility: 'private' });
      await expect(groups.updateSettings(actor, 'nichts', { visibility: 'public' })).rejects.toMatchObject({
        problem: { status: 404 },
      });
    });
    const stored = await scope.run(tenant.id, (em) =>
      em.findOneOrFail(GroupSchema, { key: 'chor' }, { refresh: true }),
    );
    expect(stored).toMatchObject({
      visibility: 'private',
      joinPolicy: 'open',
      description: { de: 'Donnerstags' },
    });
    const events = await auditOf(tenant);
    expect(events.map((event) => event.action)).toEqual(['groups.group.updated', 'groups.group.updated']);
    expect(events[0]!.details).toEqual({
      groupKey: 'chor',
      changes: {
        name: { from: { de: 'Chor Einstellungen' }, to: { de: 'Kirchenchor', en: 'Church choir' } },
        description: { from: null, to: { de: 'Donnerstags' } },
        visibility: { from: 'members', to: 'public' },
        joinPolicy: { from: 'request', to: 'open' },
      },
    });
    expect(events[1]!.details).toEqual({
      groupKey: 'chor',
      changes: { visibility: { from: 'public', to: 'private' } },
    });
    expect(events[0]!.actorMemberId).toBe((await seedActorId(tenant))!);
  });

  it('refuses bad settings in the schema (names the fields)', () => {
    const result = groupSettingsBody.safeParse({
      name: { de: ' ' },
      description: { en: 'only English' },
      visibility: 'geheim',
      joinPolicy: 'open',
      extra: 1,
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['name.de', 'description.de', 'visibility', '']));
  });

  it('lists the pending requests of all groups, oldest first, with a limit', async () => {
    const { tenant } = await seed('Queue', 3);
    await scope.run(tenant.id, async () => {
      const page = await joining.pendingInTenant(2);
      expect(page.more).toBe(true);
      expect(page.items.map((item) => [item.group.getEntity().key, item.name])).toEqual([
        ['chor', 'Asker 0'],
        ['chor', 'Asker 1'],
      ]);
      const all = await joining.pendingInTenant(10);
      expect(all.more).toBe(false);
      expect(all.items).toHaveLength(3);
    });
    // Another tenant sees none of them, nor the groups.
    const other = await seed('Andere');
    await scope.run(other.tenant.id, async () => {
      expect((await joining.pendingInTenant(10)).items).toEqual([]);
      expect((await groups.overview()).map(({ group }) => group.name.de)).toEqual(['Chor Andere', 'Sport']);
    });
  });

  async function seedActorId(tenant: Tenant): Promise<string | undefined> {
    return scope.run(tenant.id, async (em) => (await em.findOne(MemberSchema, { role: 'tenant_admin' }))?.id);
  }
});
