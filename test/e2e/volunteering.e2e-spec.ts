import type { MikroORM } from '@mikro-orm/postgresql';
import ICAL from 'ical.js';
import { CalendarSources, createCalendar } from '@allmende/calendar';
import { AuditEventSchema, OutboxEventSchema } from '@allmende/content';
import { TenantScope } from '@allmende/db';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type GroupVisibility } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { ShiftReminders, VolunteerPledgeSchema, VolunteerShiftSchema } from '@allmende/volunteering';
import { createTenant, openOrm } from '../support/fixtures';
import { passwordToken, startApiWithIdentityProvider, type ApiWithIdentity } from '../support/identity';
import { expectJson, tenantApi } from '../support/api-client';

interface Person {
  memberId: string;
  givenName: string;
  familyName: string;
}
interface Call {
  id: string;
  group: { id: string; key: string };
  title: string;
  body: string;
  bodyHtml: string;
  place: string | null;
  contact: string | null;
  status: 'open' | 'closed';
  author: Person;
  organiser: boolean;
  closedAt: string | null;
  shifts: {
    id: string;
    startsAt: string;
    endsAt: string;
    helpersNeeded: number;
    helpersPledged: number;
    helpersMissing: number;
    pledgedByMe: boolean;
  }[];
  items: {
    id: string;
    name: string;
    quantityNeeded: number;
    quantityPledged: number;
    quantityMissing: number;
    myQuantity: number;
  }[];
  progress: {
    helpersNeeded: number;
    helpersPledged: number;
    itemsNeeded: number;
    itemsPledged: number;
    hasOpenNeeds: boolean;
  };
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const HOUR = 60 * 60 * 1000;
/** A time `hours` from now, on a whole minute (iCalendar keeps seconds, not milliseconds). */
const inHours = (hours: number) =>
  new Date(Math.floor((Date.now() + hours * HOUR) / 60_000) * 60_000).toISOString();

/** The volunteering module ("Mach mit!") through the API, with real tokens from a dev identity provider. */
describe('volunteering', () => {
  let orm: MikroORM;
  let api: ApiWithIdentity;
  let tenant: Tenant;
  let other: Tenant;
  const person = (email: string, givenName: string, familyName: string) => ({
    email,
    givenName,
    familyName,
    emailVerified: true,
  });
  const people: Record<string, ReturnType<typeof person>> = {
    tenantAdmin: person('rita.rathaus@example.org', 'Rita', 'Rathaus'),
    groupAdmin: person('gustav.garten@example.org', 'Gustav', 'Garten'),
    member: person('mia.mitglied@example.org', 'Mia', 'Mitglied'),
    member2: person('max.mitglied@example.org', 'Max', 'Mitglied'),
    outsider: person('otto.ausserhalb@example.org', 'Otto', 'Außerhalb'),
    foreign: person('fiona.fremd@example.org', 'Fiona', 'Fremd'),
  };
  // Twenty tenant members (not in the organiser group) for the concurrency tests.
  const helpers = Array.from({ length: 20 }, (_, index) => `helper${index}`);
  for (const helper of helpers) people[helper] = person(`${helper}@example.org`, 'Helfer', helper);
  type Who = string;
  const memberIds: Record<string, string> = {};
  const tokens = new Map<string, string>();

  const call = tenantApi(
    () => api,
    people,
    () => tenant.slug,
  );

  const json = expectJson;

  const publish = async (group: string, who: Who, overrides: Record<string, unknown> = {}) =>
    json<Call>(
      await call('POST', `/groups/${group}/volunteering/calls`, who, {
        title: 'Dorffest',
        body: 'Wir brauchen **Hilfe**.',
        place: 'Dorfplatz',
        contact: 'Gemeindebüro, 06221 12345',
        shifts: [{ startsAt: inHours(72), endsAt: inHours(75), helpersNeeded: 5 }],
        items: [{ name: 'Kuchen', quantityNeeded: 10 }],
        ...overrides,
      }),
      201,
    );
  const inTenant = <T>(fn: (em: Parameters<Parameters<TenantScope['run']>[1]>[0]) => Promise<T>) =>
    new TenantScope(orm).run(tenant.id, fn);

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Hilfsbereit');
    other = await createTenant(orm, 'Nachbargemeinde');
    await new TenantScope(orm).run(tenant.id, async (em) => {
      const member = (who: string, role: 'tenant_admin' | 'member' = 'member') => {
        const row = em.create(MemberSchema, {
          email: people[who]!.email,
          givenName: people[who]!.givenName,
          familyName: people[who]!.familyName,
          role,
        });
        memberIds[who] = row.id;
        return row;
      };
      member('tenantAdmin', 'tenant_admin');
      const groupAdmin = member('groupAdmin');
      const mia = member('member');
      const max = member('member2');
      member('outsider');
      for (const helper of helpers) member(helper);
      const group = (key: string, visibility: GroupVisibility, volunteering = true) => {
        const row = em.create(GroupSchema, { key, name: { de: key }, visibility, joinPolicy: 'open' });
        if (volunteering) em.create(GroupModuleSchema, { group: row, module: 'volunteering', settings: {} });
        em.create(GroupMemberSchema, { group: row, member: groupAdmin, role: 'group_admin' });
        em.create(GroupMemberSchema, { group: row, member: mia });
        em.create(GroupMemberSchema, { group: row, member: max });
        return row;
      };
      group('fest', 'public');
      group('nachbarn', 'members');
      group('vorstand', 'private');
      group('ohne', 'members', false);
      await em.flush();
    });
    await new TenantScope(orm).run(other.id, async (em) => {
      em.create(MemberSchema, { email: people.foreign!.email, givenName: 'Fiona', familyName: 'Fremd' });
      await em.flush();
    });
    api = await startApiWithIdentityProvider(Object.values(people));
  });

  afterAll(async () => {
    await api?.stop();
    await orm?.close(true);
  });

  describe('who may read, publish and pledge', () => {
    const everyone = ['anonymous', 'foreign', 'outsider', 'member', 'groupAdmin', 'tenantAdmin'];
    const readers: [GroupVisibility, string, number[]][] = [
      ['public', 'fest', [200, 200, 200, 200, 200, 200]],
      ['members', 'nachbarn', [404, 404, 200, 200, 200, 200]],
      ['private', 'vorstand', [404, 404, 404, 200, 200, 200]],
    ];
    it.each(readers)('reads a %s group as the matrix says', async (_visibility, group, statuses) => {
      const created = await publish(group, 'member');
      for (const [index, who] of everyone.entries()) {
        const list = await call('GET', `/groups/${group}/volunteering/calls`, who);
        const one = await call('GET', `/groups/${group}/volunteering/calls/${created.id}`, who);
        expect([who, list.status, one.status]).toEqual([who, statuses[index], statuses[index]]);
      }
    });

    // Publishing needs membership in the group; the tenant admin is no member of these groups.
    const publishers: [GroupVisibility, string, number[]][] = [
      ['public', 'fest', [401, 403, 403, 201, 201, 403]],
      ['members', 'nachbarn', [401, 404, 403, 201, 201, 403]],
      ['private', 'vorstand', [401, 404, 404, 201, 201, 403]],
    ];
    it.each(publishers)(
      'publishes in a %s group as the matrix says',
      async (_visibility, group, statuses) => {
        for (const [index, who] of everyone.entries()) {
          const response = await call('POST', `/groups/${group}/volunteering/calls`, who, {
            title: 'Aufbau',
            body: 'Text',
            items: [{ name: 'Bänke', quantityNeeded: 4 }],
          });
          expect([who, response.status]).toEqual([who, statuses[index]]);
        }
      },
    );

    // Pledging needs a member of the tenant who may read the group, not a member of the group.
    const pledgers: [GroupVisibility, string, number[]][] = [
      ['public', 'fest', [401, 403, 201, 201, 201, 201]],
      ['members', 'nachbarn', [401, 404, 201, 201, 201, 201]],
      ['private', 'vorstand', [401, 404, 404, 201, 201, 201]],
    ];
    it.each(pledgers)(
      'takes pledges in a %s group as the matrix says',
      async (_visibility, group, statuses) => {
        const created = await publish(group, 'member', {
          shifts: [{ startsAt: inHours(72), endsAt: inHours(75), helpersNeeded: 10 }],
          items: [{ name: 'Kuchen', quantityNeeded: 10 }],
        });
        const base = `/groups/${group}/volunteering/calls/${created.id}`;
        for (const [index, who] of everyone.entries()) {
          const shift = await call('POST', `${base}/shifts/${created.shifts[0]!.id}/pledge`, who);
          const item = await call('POST', `${base}/items/${created.items[0]!.id}/pledge`, who, {
            quantity: 1,
          });
          expect([who, shift.status, item.status]).toEqual([who, statuses[index], statuses[index]]);
        }
      },
    );

    it('answers 404 for a group without the module, and for calls of another group', async () => {
      expect((await call('GET', '/groups/ohne/volunteering/calls', 'member')).status).toBe(404);
      expect(
        (
          await call('POST', '/groups/ohne/volunteering/calls', 'member', {
            title: 'x',
            body: 'y',
            items: [{ name: 'a', quantityNeeded: 1 }],
          })
        ).status,
      ).toBe(404);
      const secret = await publish('vorstand', 'member');
      expect((await call('GET', `/groups/fest/volunteering/calls/${secret.id}`, 'member')).status).toBe(404);
      expect(
        (
          await call(
            'POST',
            `/groups/fest/volunteering/calls/${secret.id}/shifts/${secret.shifts[0]!.id}/pledge`,
            'member',
          )
        ).status,
      ).toBe(404);
    });
  });

  it('rejects invalid and unknown fields with 400 and field paths', async () => {
    const bad = await call('POST', '/groups/fest/volunteering/calls', 'member', {
      title: '',
      body: 'x',
      tenantId: 'b',
      shifts: [{ startsAt: inHours(5), endsAt: inHours(4), helpersNeeded: 0 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await bad.json()) as { errors: { path: string; message: string }[] };
    const paths = problem.errors.map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['(root)', 'title', 'shifts.0.helpersNeeded']));
    expect(problem.errors.find((error) => error.path === '(root)')!.message).toContain('tenantId');

    const backwards = await call('POST', '/groups/fest/volunteering/calls', 'member', {
      title: 'Rückwärts',
      body: 'x',
      shifts: [{ startsAt: inHours(5), endsAt: inHours(4), helpersNeeded: 2 }],
    });
    expect(backwards.status).toBe(400);
    expect(
      ((await backwards.json()) as { errors: { path: string }[] }).errors.map((error) => error.path),
    ).toEqual(['shifts.0.endsAt']);
    const empty = await call('POST', '/groups/fest/volunteering/calls', 'member', {
      title: 'Nichts',
      body: 'x',
    });
    expect(empty.status).toBe(400);

    const created = await publish('fest', 'member');
    const base = `/groups/fest/volunteering/calls/${created.id}`;
    const noQuantity = await call('POST', `${base}/items/${created.items[0]!.id}/pledge`, 'member2', {
      quantity: 0,
    });
    expect(noQuantity.status).toBe(400);
    expect(((await noQuantity.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('quantity');
    expect((await call('PATCH', base, 'member', {})).status).toBe(400);
    expect((await call('PATCH', base, 'member', { status: 'closed' })).status).toBe(400);
    expect((await call('GET', `/groups/fest/volunteering/calls/not-a-uuid`, 'member')).status).toBe(400);
    expect((await call('GET', '/volunteering/calls?open=maybe', 'member')).status).toBe(400);
  });

  it('stores Markdown as written and renders it inert', async () => {
    const payload =
      '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3)) **fett**';
    const created = await publish('fest', 'member', { body: payload, title: '<b>Titel</b>' });
    const read = await json<Call>(
      await call('GET', `/groups/fest/volunteering/calls/${created.id}`, 'anonymous'),
      200,
    );
    expect(read.body).toBe(payload);
    expect(read.bodyHtml).toContain('<strong>fett</strong>');
    // The only tags are the ones Markdown made; the rest is escaped text, no link to javascript:.
    expect(read.bodyHtml).toContain('&lt;script&gt;');
    expect(read.bodyHtml).not.toMatch(/<script|<img|href="javascript:/i);
    expect(read.bodyHtml.match(/<[a-z]+/g)).toEqual(['<p', '<strong']);
    expect(read.title).toBe('<b>Titel</b>');
  });

  describe('capacity', () => {
    it('takes exactly 5 of 20 parallel pledges for a 5-helper shift', async () => {
      const created = await publish('fest', 'member', {
        shifts: [{ startsAt: inHours(72), endsAt: inHours(75), helpersNeeded: 5 }],
        items: [],
      });
      const shiftId = created.shifts[0]!.id;
      // Tokens first, so the pledges really run at the same time.
      for (const helper of helpers)
        tokens.set(people[helper]!.email, await passwordToken(api.idp, people[helper]!.email));
      const statuses = await Promise.all(
        helpers.map(async (helper) => {
          const response = await call(
            'POST',
            `/groups/fest/volunteering/calls/${created.id}/shifts/${shiftId}/pledge`,
            helper,
          );
          if (response.status === 409) {
            expect(response.headers.get('content-type')).toContain('application/problem+json');
          }
          await response.text();
          return response.status;
        }),
      );
      expect(statuses.filter((status) => status === 201)).toHaveLength(5);
      expect(statuses.filter((status) => status === 409)).toHaveLength(15);
      const [pledges, shift] = await inTenant(
        async (em) =>
          [
            await em.count(VolunteerPledgeSchema, { shift: shiftId }),
            await em.findOneOrFail(VolunteerShiftSchema, shiftId),
          ] as const,
      );
      expect(pledges).toBe(5);
      expect(shift.pledgedCount).toBe(5);
      const read = await json<Call>(
        await call('GET', `/groups/fest/volunteering/calls/${created.id}`, 'anonymous'),
        200,
      );
      expect(read.progress).toMatchObject({ helpersNeeded: 5, helpersPledged: 5, hasOpenNeeds: false });
      expect(read.shifts[0]).toMatchObject({ helpersPledged: 5, helpersMissing: 0 });
    });

    it('takes exactly 3 of 20 parallel pledges of 3 cakes for 10 cakes', async () => {
      const created = await publish('fest', 'member', {
        shifts: [],
        items: [{ name: 'Kuchen', quantityNeeded: 10 }],
      });
      const itemId = created.items[0]!.id;
      const statuses = await Promise.all(
        helpers.map(async (helper) => {
          const response = await call(
            'POST',
            `/groups/fest/volunteering/calls/${created.id}/items/${itemId}/pledge`,
            helper,
            {
              quantity: 3,
            },
          );
          await response.text();
          return response.status;
        }),
      );
      expect(statuses.filter((status) => status === 201)).toHaveLength(3);
      expect(statuses.filter((status) => status === 409)).toHaveLength(17);
      const pledged = await inTenant((em) => em.find(VolunteerPledgeSchema, { item: itemId }));
      expect(pledged.reduce((total, pledge) => total + pledge.quantity, 0)).toBe(9);
      const read = await json<Call>(
        await call('GET', `/groups/fest/volunteering/calls/${created.id}`, 'member'),
        200,
      );
      expect(read.items[0]).toMatchObject({ quantityNeeded: 10, quantityPledged: 9, quantityMissing: 1 });
      expect(read.progress).toMatchObject({ itemsNeeded: 10, itemsPledged: 9, hasOpenNeeds: true });
    });

    it('frees the place on withdrawal, and refuses double pledges, too much, and closed calls', async () => {
      const created = await publish('fest', 'member', {
        shifts: [{ startsAt: inHours(72), endsAt: inHours(75), helpersNeeded: 1 }],
        items: [{ name: 'Bänke', quantityNeeded: 4 }],
      });
      const base = `/groups/fest/volunteering/calls/${created.id}`;
      const shiftPledge = `${base}/shifts/${created.shifts[0]!.id}/pledge`;
      const itemPledge = `${base}/items/${created.items[0]!.id}/pledge`;
      const mine = await json<Call>(await call('POST', shiftPledge, 'member2'), 201);
      expect(mine.shifts[0]).toMatchObject({ pledgedByMe: true, helpersPledged: 1 });
      expect((await call('POST', shiftPledge, 'member2')).status).toBe(409);
      expect((await call('POST', shiftPledge, 'outsider')).status).toBe(409);
      const withdrawn = await json<Call>(await call('DELETE', shiftPledge, 'member2'), 200);
      expect(withdrawn.shifts[0]).toMatchObject({ pledgedByMe: false, helpersPledged: 0 });
      expect((await call('DELETE', shiftPledge, 'member2')).status).toBe(404);
      await json(await call('POST', shiftPledge, 'outsider'), 201);

      expect((await call('POST', itemPledge, 'outsider', { quantity: 5 })).status).toBe(409);
      const cakes = await json<Call>(await call('POST', itemPledge, 'outsider', { quantity: 3 }), 201);
      expect(cakes.items[0]).toMatchObject({ myQuantity: 3, quantityPledged: 3 });
      expect((await call('POST', itemPledge, 'outsider', { quantity: 1 })).status).toBe(409);
      expect((await call('POST', itemPledge, 'member2', { quantity: 2 })).status).toBe(409);
      const back = await json<Call>(await call('DELETE', itemPledge, 'outsider'), 200);
      expect(back.items[0]).toMatchObject({ myQuantity: 0, quantityPledged: 0 });
      await json(await call('POST', itemPledge, 'member2', { quantity: 4 }), 201);

      await json(await call('POST', `${base}/close`, 'member'), 200);
      await json(await call('DELETE', itemPledge, 'member2'), 200);
      const closed = await call('POST', itemPledge, 'member2', { quantity: 1 });
      expect(closed.status).toBe(409);
      expect(closed.headers.get('content-type')).toContain('application/problem+json');
    });

    it('refuses pledges for a shift that is over', async () => {
      const created = await publish('fest', 'member', {
        shifts: [{ startsAt: inHours(-3), endsAt: inHours(-1), helpersNeeded: 3 }],
        items: [],
      });
      const response = await call(
        'POST',
        `/groups/fest/volunteering/calls/${created.id}/shifts/${created.shifts[0]!.id}/pledge`,
        'member2',
      );
      expect(response.status).toBe(409);
    });
  });

  describe('organisers', () => {
    it('lets the author and the group admins organise, audits the admins, and shows them who pledged', async () => {
      const created = await publish('nachbarn', 'member');
      const base = `/groups/nachbarn/volunteering/calls/${created.id}`;
      expect(created.organiser).toBe(true);
      // Another member of the group is no organiser.
      expect((await call('PATCH', base, 'member2', { title: 'Meins' })).status).toBe(403);
      expect((await call('POST', `${base}/close`, 'member2')).status).toBe(403);
      expect((await call('GET', `${base}/pledges`, 'member2')).status).toBe(403);
      expect(
        (
          await call('POST', `${base}/shifts`, 'outsider', {
            startsAt: inHours(80),
            endsAt: inHours(81),
            helpersNeeded: 1,
          })
        ).status,
      ).toBe(403);
      expect((await call('GET', `${base}/pledges`, 'anonymous')).status).toBe(401);
      const asMember2 = await json<Call>(await call('GET', base, 'member2'), 200);
      expect(asMember2.organiser).toBe(false);

      const edited = await json<Call>(
        await call('PATCH', base, 'member', { place: 'Turnhalle', contact: null }),
        200,
      );
      expect(edited).toMatchObject({ place: 'Turnhalle', contact: null });
      const byAdmin = await json<Call>(
        await call('PATCH', base, 'groupAdmin', { title: 'Dorffest 2027' }),
        200,
      );
      expect(byAdmin.title).toBe('Dorffest 2027');
      const withShift = await json<Call>(
        await call('POST', `${base}/shifts`, 'groupAdmin', {
          startsAt: inHours(80),
          endsAt: inHours(83),
          helpersNeeded: 2,
        }),
        201,
      );
      expect(withShift.shifts).toHaveLength(2);
      expect(withShift.progress.helpersNeeded).toBe(7);
      const withItem = await json<Call>(
        await call('POST', `${base}/items`, 'member', { name: 'Biertischgarnitur', quantityNeeded: 4 }),
        201,
      );
      expect(withItem.items.map((item) => item.name)).toEqual(['Kuchen', 'Biertischgarnitur']);

      await json(await call('POST', `${base}/shifts/${created.shifts[0]!.id}/pledge`, 'outsider'), 201);
      await json(
        await call('POST', `${base}/items/${created.items[0]!.id}/pledge`, 'member2', { quantity: 2 }),
        201,
      );
      for (const organiser of ['member', 'groupAdmin', 'tenantAdmin']) {
        const pledges = await call('GET', `${base}/pledges`, organiser);
        const text = await pledges.text();
        expect([organiser, pledges.status]).toEqual([organiser, 200]);
        expect(text).not.toContain('@');
        const view = JSON.parse(text) as {
          shifts: { shiftId: string; helpers: Person[] }[];
          items: { itemId: string; pledges: (Person & { quantity: number })[] }[];
        };
        expect(view.shifts[0]!.helpers).toEqual([
          expect.objectContaining({
            memberId: memberIds.outsider,
            givenName: 'Otto',
            familyName: 'Außerhalb',
          }),
        ]);
        expect(view.items[0]!.pledges).toEqual([
          expect.objectContaining({ memberId: memberIds.member2, givenName: 'Max', quantity: 2 }),
        ]);
      }
      // Plain readers see counts, never names of pledgers or anyone's e-mail.
      const asOutsider = await call('GET', base, 'outsider');
      const outsiderText = await asOutsider.text();
      expect(outsiderText).not.toContain('@');
      expect(outsiderText).not.toContain('Max');

      const closed = await json<Call>(await call('POST', `${base}/close`, 'groupAdmin'), 200);
      expect(closed.status).toBe('closed');
      expect(closed.closedAt).not.toBeNull();

      const audit = await inTenant((em) =>
        em.find(AuditEventSchema, { entityId: created.id }, { orderBy: { createdAt: 'asc' } }),
      );
      // The author's own changes are not audited; the group admin's are.
      expect(audit.map((entry) => entry.action).sort()).toEqual([
        'volunteering.call.closed',
        'volunteering.call.edited',
        'volunteering.shift.added',
      ]);
      expect(audit.every((entry) => entry.actorMemberId === memberIds.groupAdmin)).toBe(true);
      const listed = await json<{ items: { action: string; entityId: string }[] }>(
        await call('GET', '/audit', 'tenantAdmin'),
        200,
      );
      expect(
        listed.items.some(
          (entry) => entry.entityId === created.id && entry.action === 'volunteering.call.closed',
        ),
      ).toBe(true);
    });
  });

  it('writes outbox rows with the change, with ids and no e-mail addresses', async () => {
    const created = await publish('nachbarn', 'member', { title: 'Outbox' });
    const base = `/groups/nachbarn/volunteering/calls/${created.id}`;
    const shiftId = created.shifts[0]!.id;
    const itemId = created.items[0]!.id;
    await json(await call('POST', `${base}/shifts/${shiftId}/pledge`, 'outsider'), 201);
    await json(await call('POST', `${base}/items/${itemId}/pledge`, 'outsider', { quantity: 2 }), 201);
    await json(await call('DELETE', `${base}/shifts/${shiftId}/pledge`, 'outsider'), 200);
    const events = await inTenant((em) =>
      em.find(
        OutboxEventSchema,
        { topic: { $like: 'volunteering.%' } },
        { orderBy: { createdAt: 'asc', id: 'asc' } },
      ),
    );
    const ofCall = events.filter((event) => event.payload.callId === created.id);
    expect(ofCall.map((event) => event.topic)).toEqual([
      'volunteering.call.published',
      'volunteering.pledge.created',
      'volunteering.pledge.created',
      'volunteering.pledge.withdrawn',
    ]);
    expect(ofCall[0]!.payload).toEqual({
      groupId: created.group.id,
      callId: created.id,
      authorMemberId: memberIds.member,
    });
    expect(ofCall[1]!.payload).toEqual({
      groupId: created.group.id,
      callId: created.id,
      pledgeId: expect.any(String),
      shiftId,
      memberId: memberIds.outsider,
      organiserMemberId: memberIds.member,
    });
    expect(ofCall[2]!.payload).toMatchObject({ itemId, quantity: 2, memberId: memberIds.outsider });
    expect(ofCall[3]!.payload).toMatchObject({
      shiftId,
      pledgeId: ofCall[1]!.payload.pledgeId,
      memberId: memberIds.outsider,
    });
    expect(JSON.stringify(events.map((event) => event.payload))).not.toContain('@');
    // A refused pledge writes nothing.
    const full = await publish('nachbarn', 'member', {
      shifts: [{ startsAt: inHours(72), endsAt: inHours(75), helpersNeeded: 1 }],
      items: [],
    });
    await json(
      await call(
        'POST',
        `/groups/nachbarn/volunteering/calls/${full.id}/shifts/${full.shifts[0]!.id}/pledge`,
        'member2',
      ),
      201,
    );
    expect(
      (
        await call(
          'POST',
          `/groups/nachbarn/volunteering/calls/${full.id}/shifts/${full.shifts[0]!.id}/pledge`,
          'outsider',
        )
      ).status,
    ).toBe(409);
    const forFull = await inTenant((em) =>
      em.count(OutboxEventSchema, { topic: 'volunteering.pledge.created', payload: { callId: full.id } }),
    );
    expect(forFull).toBe(1);
  });

  describe('the tenant-wide list ("Mach mit!")', () => {
    it('lists calls with open needs of readable groups, pages stably and answers 304 while unchanged', async () => {
      const open = await publish('nachbarn', 'member', { title: 'Offen' });
      const secret = await publish('vorstand', 'member', { title: 'Geheim' });
      const closed = await publish('nachbarn', 'member', { title: 'Geschlossen' });
      await json(await call('POST', `/groups/nachbarn/volunteering/calls/${closed.id}/close`, 'member'), 200);
      const full = await publish('nachbarn', 'member', {
        title: 'Voll',
        shifts: [{ startsAt: inHours(72), endsAt: inHours(75), helpersNeeded: 1 }],
        items: [],
      });
      await json(
        await call(
          'POST',
          `/groups/nachbarn/volunteering/calls/${full.id}/shifts/${full.shifts[0]!.id}/pledge`,
          'member2',
        ),
        201,
      );

      const collect = async (who: Who, query: string) => {
        const ids: string[] = [];
        let cursor: string | null = null;
        do {
          const path = `/volunteering/calls?${query}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
          const page: Page<Call> = await json<Page<Call>>(await call('GET', path, who), 200);
          ids.push(...page.items.map((item) => item.id));
          if (query.includes('open=true'))
            expect(page.items.every((item) => item.progress.hasOpenNeeds)).toBe(true);
          cursor = page.nextCursor;
        } while (cursor);
        return ids;
      };
      const forOutsider = await collect('outsider', 'open=true');
      expect(forOutsider).toContain(open.id);
      expect(forOutsider).not.toContain(secret.id);
      expect(forOutsider).not.toContain(closed.id);
      expect(forOutsider).not.toContain(full.id);
      expect(new Set(forOutsider).size).toBe(forOutsider.length);
      const forMember = await collect('member', 'open=true');
      expect(forMember).toEqual(expect.arrayContaining([open.id, secret.id]));
      const all = await collect('member', 'open=false');
      expect(all).toEqual(expect.arrayContaining([open.id, secret.id, closed.id, full.id]));
      expect(new Set(all).size).toBe(all.length);
      const anonymous = await json<Page<Call>>(
        await call('GET', '/volunteering/calls?open=true&limit=100', 'anonymous'),
        200,
      );
      expect(anonymous.items.every((item) => item.group.key === 'fest')).toBe(true);
      // A member of another tenant reads like anyone without login: public groups only.
      const foreign = await json<Page<Call>>(
        await call('GET', '/volunteering/calls?open=true&limit=100', 'foreign'),
        200,
      );
      expect(foreign.items.every((item) => item.group.key === 'fest')).toBe(true);
      expect(foreign.items.map((item) => item.id)).not.toContain(open.id);

      const first = await call('GET', '/volunteering/calls?open=true', 'outsider');
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag')!;
      expect(etag).toBeTruthy();
      expect(
        (await call('GET', '/volunteering/calls?open=true', 'outsider', undefined, { 'if-none-match': etag }))
          .status,
      ).toBe(304);
      await publish('nachbarn', 'member', { title: 'Neu' });
      expect(
        (await call('GET', '/volunteering/calls?open=true', 'outsider', undefined, { 'if-none-match': etag }))
          .status,
      ).toBe(200);
    });
  });

  it('reminds pledgers the day before, once, through the outbox', async () => {
    const created = await publish('fest', 'member', {
      shifts: [
        { startsAt: inHours(30), endsAt: inHours(33), helpersNeeded: 3 },
        { startsAt: inHours(72), endsAt: inHours(75), helpersNeeded: 3 },
      ],
      items: [],
    });
    const [soon, later] = created.shifts;
    const base = `/groups/fest/volunteering/calls/${created.id}`;
    await json(await call('POST', `${base}/shifts/${soon!.id}/pledge`, 'member2'), 201);
    await json(await call('POST', `${base}/shifts/${later!.id}/pledge`, 'member2'), 201);
    const reminders = new ShiftReminders(new TenantScope(orm));
    const reminded = () =>
      inTenant((em) =>
        em.find(OutboxEventSchema, { topic: 'volunteering.shift.reminder', payload: { callId: created.id } }),
      );
    // Two runs at once (two workers): each pledge is reminded once.
    const [first, second] = await Promise.all([reminders.sendDue(), reminders.sendDue()]);
    expect(first + second).toBeGreaterThanOrEqual(1);
    expect(await reminders.sendDue()).toBe(0);
    const rows = await reminded();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.payload).toMatchObject({
      shiftId: soon!.id,
      memberId: memberIds.member2,
      callId: created.id,
    });
    // Two days later the other shift is due, and only it.
    expect(await reminders.sendDue(new Date(Date.now() + 42 * HOUR))).toBeGreaterThanOrEqual(1);
    const after = await reminded();
    expect(after.map((row) => row.payload.shiftId).sort()).toEqual([soon!.id, later!.id].sort());
  });

  it("puts a member's pledged shifts into their calendar", async () => {
    const created = await publish('fest', 'member', {
      title: 'Kalender',
      shifts: [
        { startsAt: inHours(50), endsAt: inHours(52), helpersNeeded: 3 },
        { startsAt: inHours(60), endsAt: inHours(62), helpersNeeded: 3 },
      ],
      items: [],
    });
    await json(
      await call(
        'POST',
        `/groups/fest/volunteering/calls/${created.id}/shifts/${created.shifts[0]!.id}/pledge`,
        'helper0',
      ),
      201,
    );
    // The source the running API registered, rendered with the platform's calendar and parsed back.
    const source = api.app
      .get(CalendarSources)
      .all()
      .find((each) => each.name === 'volunteering')!;
    expect(source).toBeDefined();
    const scope = api.app.get(TenantScope);
    const range = { from: new Date(), to: new Date(Date.now() + 30 * 24 * HOUR) };
    const actorOf = (who: string) =>
      ({ person: null, membership: { memberId: memberIds[who]!, role: 'member' } }) as never;
    const items = await scope.run(tenant.id, () => source.memberItems!(actorOf('helper0'), range));
    const calendar = createCalendar('Test', 'Europe/Berlin');
    for (const item of items) {
      calendar.createEvent({
        id: item.uid,
        start: item.start,
        end: item.end,
        summary: item.summary,
        ...(item.location ? { location: item.location } : {}),
      });
    }
    const parsed = new ICAL.Component(ICAL.parse(calendar.toString()) as unknown[]);
    const mine = parsed
      .getAllSubcomponents('vevent')
      .filter((vevent) => String(vevent.getFirstPropertyValue('summary')).includes('Kalender'));
    expect(mine).toHaveLength(1);
    const event = new ICAL.Event(mine[0]!);
    expect(event.location).toBe('Dorfplatz');
    expect(event.startDate.toJSDate().toISOString()).toBe(created.shifts[0]!.startsAt);
    expect(event.endDate.toJSDate().toISOString()).toBe(created.shifts[0]!.endsAt);
    const others = await scope.run(tenant.id, () => source.memberItems!(actorOf('helper1'), range));
    expect(others.filter((item) => item.summary.includes('Kalender'))).toHaveLength(0);
  });
});
