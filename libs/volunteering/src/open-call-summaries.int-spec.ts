import type { MikroORM } from '@mikro-orm/postgresql';
import { ANONYMOUS, type Actor } from '@allmende/auth';
import { GroupAccess } from '@allmende/content';
import { TenantScope } from '@allmende/db';
import { GroupModuleSchema } from '@allmende/groups';
import { openOrm, seedTenant, type SeededTenant } from '../../../test/support/fixtures';
import { VolunteerCallSchema } from './volunteer-call.entity';
import { VolunteerShiftSchema } from './volunteer-shift.entity';
import { VolunteeringService } from './volunteering.service';

/**
 * The portal home's "Mach mit!" box: open calls with open needs, only of the groups the
 * caller may read, only of the caller's tenant, with the pledged / needed totals.
 */
describe('VolunteeringService.openCallSummaries', () => {
  let orm: MikroORM;
  let scope: TenantScope;
  let service: VolunteeringService;
  let a: SeededTenant;
  let b: SeededTenant;

  beforeAll(async () => {
    orm = await openOrm();
    scope = new TenantScope(orm);
    service = new VolunteeringService(scope, new GroupAccess(scope));
    a = await seedTenant(orm, 'A');
    b = await seedTenant(orm, 'B');
    for (const seeded of [a, b]) {
      await scope.run(seeded.tenant.id, async (em) => {
        const [publicGroup, privateGroup] = seeded.groups;
        for (const group of [publicGroup!, privateGroup!])
          em.create(GroupModuleSchema, { group, module: 'volunteering', settings: {} });
        const call = em.create(VolunteerCallSchema, {
          group: privateGroup!,
          author: seeded.members[0]!,
          title: `Vorstandssitzung vorbereiten ${seeded.tenant.slug}`,
          body: 'Intern.',
        });
        const startsAt = new Date(Date.now() + 3 * 24 * 60 * 60 * 1000);
        em.create(VolunteerShiftSchema, {
          call,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 60 * 60 * 1000),
          helpersNeeded: 2,
        });
        // A closed call: never in the box.
        em.create(VolunteerCallSchema, {
          group: publicGroup!,
          author: seeded.members[0]!,
          title: 'Längst vorbei',
          body: '.',
          status: 'closed',
          closedAt: new Date(),
        });
        await em.flush();
      });
    }
  });

  afterAll(() => orm.close(true));

  const summaries = (tenant: SeededTenant, actor: Actor) =>
    scope.run(tenant.tenant.id, () => service.openCallSummaries(actor, 10));

  it('shows residents the open calls of public groups, with their totals', async () => {
    expect(await summaries(a, ANONYMOUS)).toEqual([
      {
        id: expect.any(String),
        title: 'Dorffest A',
        groupKey: 'neuigkeiten',
        progress: { helpersNeeded: 5, helpersPledged: 1, itemsNeeded: 10, itemsPledged: 2 },
      },
    ]);
  });

  it("shows a tenant admin the private group's call too, and never another tenant's", async () => {
    const admin: Actor = {
      person: null,
      membership: { tenantId: a.tenant.id, memberId: a.members[1]!.id, role: 'tenant_admin' },
    };
    const titles = (await summaries(a, admin)).map((call) => call.title);
    expect(titles.sort()).toEqual(['Dorffest A', `Vorstandssitzung vorbereiten ${a.tenant.slug}`]);
    expect(titles.some((title) => title.includes(b.tenant.slug) || title.endsWith(' B'))).toBe(false);
  });
});
