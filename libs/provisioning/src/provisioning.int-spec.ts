import { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import { BookableResourceSchema } from '@allmende/booking';
import { GroupModuleSchema, GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { listBuiltInTemplates, loadTemplate, type TenantTemplate } from '@allmende/templates';
import { TenantSchema } from '@allmende/tenants';
import { openOrm, uniqueSlug } from '../../../test/support/fixtures';
import { ProvisioningService } from './provisioning.service';
import { plannedModules, plannedResources } from './tenant-plan';

/** What a template should have produced: group key → module names and resource keys. */
function expectedShape(template: TenantTemplate) {
  return template.groups.map((group) => ({
    key: group.key,
    name: group.name,
    visibility: group.visibility,
    joinPolicy: group.joinPolicy,
    modules: plannedModules(group).map((planned) => planned.module),
    resources: plannedResources(group)
      .map((resource) => resource.key)
      .sort(),
  }));
}

describe('provisioning', () => {
  let orm: MikroORM;
  let provisioning: ProvisioningService;

  beforeAll(async () => {
    orm = await openOrm();
    provisioning = new ProvisioningService(orm);
  });

  afterAll(async () => {
    await orm.close(true);
  });

  async function create(templateName: string, template?: TenantTemplate, adminEmail?: string) {
    const loaded = template ?? (await loadTemplate(templateName));
    const slug = uniqueSlug(templateName.slice(0, 20));
    const result = await provisioning.createTenant({
      slug,
      name: `Test ${templateName}`,
      template: loaded,
      templateName,
      adminEmail,
    });
    return { slug, result, template: loaded };
  }

  it('ships the five templates', async () => {
    expect(await listBuiltInTemplates()).toEqual([
      'church',
      'municipality',
      'nonprofit',
      'school',
      'sports-club',
    ]);
  });

  it.each(['municipality', 'church', 'sports-club', 'school', 'nonprofit'])(
    'provisions the %s template: groups, modules, settings and resources',
    async (name) => {
      const { slug, result, template } = await create(name);
      expect(result.status).toBe('created');
      const overview = await provisioning.overview((await provisioning.findTenant(slug))!);
      expect(overview.tenant).toMatchObject({
        kind: template.kind,
        locale: template.locale,
        timezone: template.timezone,
        template: name,
        status: 'active',
        digestDefaults: template.digest,
      });
      expect(overview.groups.map((group) => ({ ...group, resources: [...group.resources].sort() }))).toEqual(
        expectedShape(template),
      );
      // Module settings are stored as the template gave them (booking without its resources).
      await new TenantScope(orm).run(overview.tenant.id, async (em) => {
        const modules = await em.find(GroupModuleSchema, {}, { populate: ['group'] });
        for (const group of template.groups) {
          for (const planned of plannedModules(group)) {
            const row = modules.find(
              (m) => m.group.getEntity().key === group.key && m.module === planned.module,
            );
            expect(row?.settings).toEqual(planned.settings);
          }
        }
      });
    },
  );

  it('creates the municipality as residents know it, with the Grillhütte and its rules', async () => {
    const { slug } = await create('municipality');
    const tenant = (await provisioning.findTenant(slug))!;
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const keys = (await em.find(GroupSchema, {})).map((group) => group.key);
      expect(keys).toEqual(
        expect.arrayContaining(['neuigkeiten', 'gesucht-gefunden', 'mach-mit', 'grillhuette']),
      );
      const news = await em.findOneOrFail(GroupModuleSchema, {
        module: 'news',
        group: { key: 'neuigkeiten' },
      });
      expect(news.settings).toMatchObject({ urgentAlerts: true });
      const hut = await em.findOneOrFail(BookableResourceSchema, { key: 'grillhuette' });
      expect(hut).toMatchObject({ approvalRequired: true, name: { de: 'Grillhütte' } });
      expect(hut.depositCents).toBeGreaterThan(0);
      expect(hut.houseRules?.de).toBeTruthy();
      expect(hut.fee?.de).toBeTruthy();
    });
  });

  it('running create again for an existing slug changes nothing and says so', async () => {
    const { slug, template } = await create('church');
    const tenant = (await provisioning.findTenant(slug))!;
    const before = await provisioning.overview(tenant);
    const again = await provisioning.createTenant({
      slug,
      name: 'Anderer Name',
      template: await loadTemplate('school'),
      templateName: 'school',
    });
    expect(again.status).toBe('exists');
    const after = await provisioning.overview((await provisioning.findTenant(slug))!);
    expect(after).toEqual(before);
    expect(after.tenant.name).toBe('Test church');
    expect(after.groups).toHaveLength(template.groups.length);
  });

  it('rejects invalid slugs before touching the database', async () => {
    const template = await loadTemplate('nonprofit');
    for (const slug of ['Ransbach', 'a_b', '-x', 'x-', 'ä', '']) {
      await expect(
        provisioning.createTenant({ slug, name: 'X', template, templateName: 'nonprofit' }),
      ).rejects.toThrow(/invalid tenant slug/);
    }
  });

  it('makes --admin-email the first tenant admin', async () => {
    const { slug } = await create('nonprofit', undefined, 'Anna.Schmidt@Example.org');
    const tenant = (await provisioning.findTenant(slug))!;
    const members = await new TenantScope(orm).run(tenant.id, (em) => em.find(MemberSchema, {}));
    expect(
      members.map(({ email, role, givenName, familyName }) => ({ email, role, givenName, familyName })),
    ).toEqual([
      { email: 'anna.schmidt@example.org', role: 'tenant_admin', givenName: 'Anna', familyName: 'Schmidt' },
    ]);
  });

  it('leaves nothing behind when a write fails half-way (one transaction)', async () => {
    const template = structuredClone(await loadTemplate('municipality'));
    // The last group's resource has a place longer than the column allows: the insert fails late.
    const booking = template.groups.find((group) => group.modules.booking)!.modules.booking!;
    booking.resources[0]!.place = 'x'.repeat(500);
    const slug = uniqueSlug('broken');
    await expect(
      provisioning.createTenant({ slug, name: 'Kaputt', template, templateName: 'municipality' }),
    ).rejects.toThrow();
    expect(await provisioning.findTenant(slug)).toBeNull();
    expect(await orm.em.fork().count(TenantSchema, { slug })).toBe(0);
  });

  describe('apply-template', () => {
    it('adds only the missing groups, modules and resources, and never overwrites', async () => {
      const full = await loadTemplate('municipality');
      const partial = structuredClone(full);
      // Without the last group and without the events module of the first group.
      const removedGroup = partial.groups.pop()!;
      const first = partial.groups[0]!;
      const hadEvents = first.modules.events !== undefined;
      delete first.modules.events;
      const { slug } = await create('municipality', partial);
      const tenant = (await provisioning.findTenant(slug))!;

      // A tenant admin renamed a group: apply-template must keep the new name.
      await new TenantScope(orm).run(tenant.id, async (em) => {
        const group = await em.findOneOrFail(GroupSchema, { key: first.key });
        group.name = { de: 'Aktuelles aus dem Rathaus' };
        await em.flush();
      });

      const changes = await provisioning.applyTemplate(slug, full);
      expect(changes).toEqual({
        groups: [removedGroup.key],
        modules: hadEvents ? [`${first.key}/events`] : [],
        resources: [],
      });
      const overview = await provisioning.overview(tenant);
      expect(overview.groups.map((group) => group.key).sort()).toEqual(
        full.groups.map((group) => group.key).sort(),
      );
      expect(overview.groups.find((group) => group.key === first.key)?.name).toEqual({
        de: 'Aktuelles aus dem Rathaus',
      });

      // Applying again adds nothing.
      expect(await provisioning.applyTemplate(slug, full)).toEqual({
        groups: [],
        modules: [],
        resources: [],
      });
    });

    it('adds a resource the template has and the tenant lacks', async () => {
      const full = await loadTemplate('municipality');
      const { slug } = await create('municipality');
      const tenant = (await provisioning.findTenant(slug))!;
      const bookingGroup = full.groups.find((group) => group.modules.booking)!;
      const extended = structuredClone(full);
      extended.groups
        .find((group) => group.key === bookingGroup.key)!
        .modules.booking!.resources.push({
          key: 'festplatz',
          name: { de: 'Festplatz' },
          minHours: 4,
          maxHours: 72,
          leadTimeDays: 14,
          windowDays: 365,
          approvalRequired: true,
        });
      expect(await provisioning.applyTemplate(slug, extended)).toEqual({
        groups: [],
        modules: [],
        resources: [`${bookingGroup.key}/festplatz`],
      });
      const resources = await new TenantScope(orm).run(tenant.id, (em) =>
        em.find(BookableResourceSchema, {}),
      );
      expect(resources.map((resource) => resource.key)).toContain('festplatz');
    });
  });
});
