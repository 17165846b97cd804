import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import { GroupSchema } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import { NotificationPreferencesSchema } from '@allmende/notifications';
import { TenantSchema, type Tenant } from '@allmende/tenants';
import { expectJson, tenantApi } from '../support/api-client';
import { createTenant, openOrm } from '../support/fixtures';
import { startApiWithIdentityProvider, type ApiWithIdentity } from '../support/identity';

/** A member's notification preferences through HTTP: the tenant's defaults until they choose. */
describe('notification preferences', () => {
  let orm: MikroORM;
  let api: ApiWithIdentity;
  let tenant: Tenant;
  let other: Tenant;
  const people = {
    mia: {
      email: 'mia.benachrichtigt@example.org',
      givenName: 'Mia',
      familyName: 'Post',
      emailVerified: true,
    },
    fremd: {
      email: 'fremd.benachrichtigt@example.org',
      givenName: 'Fred',
      familyName: 'Fremd',
      emailVerified: true,
    },
  };
  const call = tenantApi(
    () => api,
    people,
    () => tenant.slug,
  );
  const choice = {
    digest: { frequency: 'weekly', hour: 18, weekday: 5 },
    mutedGroups: ['Vereine'],
    urgentAlerts: false,
    language: 'en',
  };

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Post');
    other = await createTenant(orm, 'Ortsgemeinde Anders');
    const global = orm.em.fork();
    const row = await global.findOneOrFail(TenantSchema, { id: tenant.id });
    row.digestDefaults = { frequency: 'daily', hour: 7, weekday: 1 };
    await global.flush();
    for (const [target, email] of [
      [tenant, people.mia.email],
      [other, people.fremd.email],
    ] as const) {
      await new TenantScope(orm).run(target.id, async (em) => {
        em.create(MemberSchema, { email, givenName: 'X', familyName: 'Y' });
        em.create(GroupSchema, { key: 'vereine', name: { de: 'Vereine' } });
        await em.flush();
      });
    }
    api = await startApiWithIdentityProvider(Object.values(people));
  });

  afterAll(async () => {
    await api?.stop();
    await orm?.close(true);
  });

  it("starts from the community's defaults", async () => {
    expect(await expectJson(await call('GET', '/me/notifications', 'mia'), 200)).toEqual({
      digest: { frequency: 'daily', hour: 7, weekday: 1 },
      mutedGroups: [],
      urgentAlerts: true,
      language: 'de',
      timeZone: null,
      isDefault: true,
    });
  });

  it('keeps what the member chooses', async () => {
    const saved = await expectJson(await call('PUT', '/me/notifications', 'mia', choice), 200);
    const expected = { ...choice, mutedGroups: ['vereine'], timeZone: null, isDefault: false };
    expect(saved).toEqual(expected);
    expect(await expectJson(await call('GET', '/me/notifications', 'mia'), 200)).toEqual(expected);
    // Choosing again replaces, it does not add a second row.
    await expectJson(await call('PUT', '/me/notifications', 'mia', { ...choice, mutedGroups: [] }), 200);
    const rows = await new TenantScope(orm).run(tenant.id, (em) => em.count(NotificationPreferencesSchema));
    expect(rows).toBe(1);
  });

  it('keeps a time zone of the member’s own for digest times', async () => {
    const saved = await expectJson<{ timeZone: string | null }>(
      await call('PUT', '/me/notifications', 'mia', { ...choice, timeZone: 'America/New_York' }),
      200,
    );
    expect(saved.timeZone).toBe('America/New_York');
    const back = await expectJson<{ timeZone: string | null }>(
      await call('PUT', '/me/notifications', 'mia', { ...choice, timeZone: null }),
      200,
    );
    expect(back.timeZone).toBeNull();
  });

  it('refuses bad preferences with field paths, and changes nothing', async () => {
    const before = await expectJson(await call('GET', '/me/notifications', 'mia'), 200);
    for (const [body, path] of [
      [{ ...choice, digest: { ...choice.digest, hour: 24 } }, 'digest.hour'],
      [{ ...choice, digest: { ...choice.digest, frequency: 'hourly' } }, 'digest.frequency'],
      [{ ...choice, language: 'fr' }, 'language'],
      [{ ...choice, timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ ...choice, mutedGroups: ['gibt-es-nicht'] }, 'mutedGroups'],
      [{ ...choice, tenantId: other.id }, '(root)'],
    ] as const) {
      const problem = await expectJson<{ errors: { path: string }[] }>(
        await call('PUT', '/me/notifications', 'mia', body),
        400,
      );
      expect(problem.errors.map((error) => error.path)).toContain(path);
    }
    expect(await expectJson(await call('GET', '/me/notifications', 'mia'), 200)).toEqual(before);
  });

  it('is for members of the community only', async () => {
    expect((await call('GET', '/me/notifications', 'anonymous')).status).toBe(401);
    expect((await call('GET', '/me/notifications', 'fremd')).status).toBe(404);
    expect((await call('PUT', '/me/notifications', 'fremd', choice)).status).toBe(404);
  });
});
