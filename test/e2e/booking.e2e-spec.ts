import type { MikroORM } from '@mikro-orm/postgresql';
import ICAL from 'ical.js';
import { BookableResourceSchema, BookingCalendar } from '@allmende/booking';
import { CalendarSources } from '@allmende/calendar';
import { AuditEventSchema, OutboxEventSchema } from '@allmende/content';
import { TenantScope } from '@allmende/db';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type GroupVisibility } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../support/fixtures';
import { startApiWithIdentityProvider, type ApiWithIdentity } from '../support/identity';
import { expectJson, tenantApi } from '../support/api-client';

interface Booking {
  id: string;
  group: { id: string; key: string };
  status: string;
  start: string;
  end: string;
  purpose: string;
  purposeHtml: string;
  contactPhone: string;
  requester: { memberId: string; givenName: string; familyName: string };
  mine: boolean;
  decisionMessage: string | null;
  decisionMessageHtml: string | null;
  depositStatus: string | null;
  keyNotes: string | null;
}
interface Slot {
  start: string;
  end: string;
  state: 'busy' | 'tentative';
  booking: Booking | null;
}
interface Problem {
  type: string;
  status: number;
  detail?: string;
  errors?: { path: string; message: string }[];
  conflictingSlot?: { start: string; end: string; state: string } | null;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** 10:00 UTC on the day `days` from now: far enough ahead for every lead time used here. */
const at = (days: number, hours = 0) => {
  const day = new Date(Date.now() + days * DAY);
  day.setUTCHours(10, 0, 0, 0);
  return new Date(day.getTime() + hours * HOUR);
};

/** The booking module through the API, with real tokens from a dev identity provider. */
describe('booking', () => {
  let orm: MikroORM;
  let api: ApiWithIdentity;
  let tenant: Tenant;
  let other: Tenant;
  const people = {
    tenantAdmin: {
      email: 'rita.rathaus@example.org',
      givenName: 'Rita',
      familyName: 'Rathaus',
      emailVerified: true,
    },
    steward: {
      email: 'hugo.huette@example.org',
      givenName: 'Hugo',
      familyName: 'Hüttenwart',
      emailVerified: true,
    },
    member: {
      email: 'mia.mitglied@example.org',
      givenName: 'Mia',
      familyName: 'Mitglied',
      emailVerified: true,
    },
    member2: {
      email: 'max.mitglied@example.org',
      givenName: 'Max',
      familyName: 'Mustermann',
      emailVerified: true,
    },
    outsider: {
      email: 'otto.aussen@example.org',
      givenName: 'Otto',
      familyName: 'Außerhalb',
      emailVerified: true,
    },
    foreign: {
      email: 'fiona.fremd@example.org',
      givenName: 'Fiona',
      familyName: 'Fremd',
      emailVerified: true,
    },
  };
  type Who = keyof typeof people | 'anonymous';
  const memberIds: Record<string, string> = {};

  const call = tenantApi(
    () => api,
    people,
    () => tenant.slug,
  );

  const json = expectJson;

  const inTenant = <T>(fn: (em: Parameters<Parameters<TenantScope['run']>[1]>[0]) => Promise<T>) =>
    new TenantScope(orm).run(tenant.id, fn);

  /** A valid request for the simple room of a group (no house rules, no extra fields). */
  const roomRequest = (start: Date, hours = 3, extra: Record<string, unknown> = {}) => ({
    start: start.toISOString(),
    end: new Date(start.getTime() + hours * HOUR).toISOString(),
    purpose: 'Geburtstag',
    expectedGuests: 20,
    contactPhone: '+49 6131 123456',
    ...extra,
  });
  /** A valid request for the Grillhütte (house rules and a required extra field). */
  const hutRequest = (start: Date, hours = 4, extra: Record<string, unknown> = {}) =>
    roomRequest(start, hours, { acceptHouseRules: true, answers: { ausschank: 'nein' }, ...extra });
  const request = (group: string, resource: string, who: Who, body: unknown) =>
    call('POST', `/groups/${group}/booking/resources/${resource}/requests`, who, body);

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Grillfest');
    other = await createTenant(orm, 'Nachbargemeinde Fremd');
    await inTenant(async (em) => {
      const member = (who: keyof typeof people, role: 'tenant_admin' | 'member' = 'member') => {
        const row = em.create(MemberSchema, {
          email: people[who].email,
          givenName: people[who].givenName,
          familyName: people[who].familyName,
          role,
        });
        memberIds[who] = row.id;
        return row;
      };
      member('tenantAdmin', 'tenant_admin');
      const steward = member('steward');
      const mia = member('member');
      const max = member('member2');
      member('outsider');
      const group = (key: string, visibility: GroupVisibility, booking = true) => {
        const row = em.create(GroupSchema, { key, name: { de: key }, visibility, joinPolicy: 'open' });
        if (booking) {
          em.create(GroupModuleSchema, { group: row, module: 'booking', settings: { publicCalendar: true } });
          em.create(BookableResourceSchema, {
            group: row,
            key: 'raum',
            name: { de: `Raum ${key}` },
            minHours: 1,
            maxHours: 12,
            leadTimeDays: 0,
            windowDays: 365,
            approvalRequired: true,
          });
        }
        em.create(GroupMemberSchema, { group: row, member: steward, role: 'group_admin' });
        em.create(GroupMemberSchema, { group: row, member: mia });
        em.create(GroupMemberSchema, { group: row, member: max });
        return row;
      };
      const huette = group('huette', 'public');
      group('saal', 'members');
      group('vorstand', 'private');
      group('ohne', 'members', false);
      em.create(BookableResourceSchema, {
        group: huette,
        key: 'grillhuette',
        name: { de: 'Grillhütte am Waldrand', en: 'Barbecue hut' },
        place: 'Am Waldrand 1',
        capacity: 60,
        minHours: 2,
        maxHours: 48,
        leadTimeDays: 3,
        windowDays: 180,
        approvalRequired: true,
        fee: { de: '40 € pro Tag' },
        depositCents: 10_000,
        houseRules: { de: 'Ruhe ab 22 Uhr. Müll wird mitgenommen.' },
        extraFields: [{ key: 'ausschank', label: { de: 'Mit Ausschank?' }, required: true }],
      });
      await em.flush();
    });
    await new TenantScope(orm).run(other.id, async (em) => {
      em.create(MemberSchema, { email: people.foreign.email, givenName: 'Fiona', familyName: 'Fremd' });
      await em.flush();
    });
    api = await startApiWithIdentityProvider(Object.values(people));
  });

  afterAll(async () => {
    await api?.stop();
    await orm?.close(true);
  });

  describe('who may read and write', () => {
    const readers: [GroupVisibility, string, Record<Who, number>][] = [
      [
        'public',
        'huette',
        {
          anonymous: 200,
          foreign: 200,
          outsider: 200,
          member: 200,
          steward: 200,
          member2: 200,
          tenantAdmin: 200,
        },
      ],
      [
        'members',
        'saal',
        {
          anonymous: 404,
          foreign: 404,
          outsider: 200,
          member: 200,
          steward: 200,
          member2: 200,
          tenantAdmin: 200,
        },
      ],
      [
        'private',
        'vorstand',
        {
          anonymous: 404,
          foreign: 404,
          outsider: 404,
          member: 200,
          steward: 200,
          member2: 200,
          tenantAdmin: 200,
        },
      ],
    ];
    it.each(readers)(
      'reads resources and occupancy of a %s group as the matrix says',
      async (_v, group, expected) => {
        const range = `from=${encodeURIComponent(at(0).toISOString())}&to=${encodeURIComponent(at(30).toISOString())}`;
        for (const [who, status] of Object.entries(expected) as [Who, number][]) {
          expect([who, (await call('GET', `/groups/${group}/booking/resources`, who)).status]).toEqual([
            who,
            status,
          ]);
          expect([who, (await call('GET', `/groups/${group}/booking/resources/raum`, who)).status]).toEqual([
            who,
            status,
          ]);
          expect([
            who,
            (await call('GET', `/groups/${group}/booking/resources/raum/occupancy?${range}`, who)).status,
          ]).toEqual([who, status]);
        }
      },
    );

    // The tenant admin is no member of these groups: reading yes, requesting no.
    const writers: [GroupVisibility, string, Record<Who, number>][] = [
      [
        'public',
        'huette',
        {
          anonymous: 401,
          foreign: 403,
          outsider: 403,
          member: 201,
          steward: 201,
          member2: 201,
          tenantAdmin: 403,
        },
      ],
      [
        'members',
        'saal',
        {
          anonymous: 401,
          foreign: 404,
          outsider: 403,
          member: 201,
          steward: 201,
          member2: 201,
          tenantAdmin: 403,
        },
      ],
      [
        'private',
        'vorstand',
        {
          anonymous: 401,
          foreign: 404,
          outsider: 404,
          member: 201,
          steward: 201,
          member2: 201,
          tenantAdmin: 403,
        },
      ],
    ];
    it.each(writers)('requests in a %s group as the matrix says', async (_v, group, expected) => {
      let day = 10;
      for (const [who, status] of Object.entries(expected) as [Who, number][]) {
        const response = await request(group, 'raum', who, roomRequest(at(day++)));
        expect([who, response.status]).toEqual([who, status]);
      }
    });

    it('answers 404 for a group without the module and for unknown resources', async () => {
      expect((await call('GET', '/groups/ohne/booking/resources', 'member')).status).toBe(404);
      expect((await request('ohne', 'raum', 'member', roomRequest(at(5)))).status).toBe(404);
      expect((await call('GET', '/groups/huette/booking/resources/sauna', 'member')).status).toBe(404);
      expect((await request('huette', 'sauna', 'member', roomRequest(at(5)))).status).toBe(404);
    });
  });

  describe('requests', () => {
    it('rejects invalid input with field paths, and unknown fields', async () => {
      const unknown = await json<Problem>(
        await request('saal', 'raum', 'member', roomRequest(at(40), 3, { status: 'approved' })),
        400,
      );
      expect(unknown.type).toBe('/problems/validation-failed');
      expect(unknown.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: '(root)' })]));
      expect(JSON.stringify(unknown.errors)).toContain('status');
      const bad = await json<Problem>(
        await request(
          'saal',
          'raum',
          'member',
          roomRequest(at(40), 3, { start: 'tomorrow', expectedGuests: 0 }),
        ),
        400,
      );
      expect(bad.errors?.map((error) => error.path).sort()).toEqual(['expectedGuests', 'start']);
      const query = await json<Problem>(
        await call(
          'GET',
          `/groups/saal/booking/resources/raum/occupancy?from=${at(1).toISOString()}`,
          'member',
        ),
        400,
      );
      expect(query.errors?.map((error) => error.path)).toEqual(['to']);
    });

    it('checks the resource rules server-side and names every broken rule', async () => {
      const rules = async (body: unknown) =>
        (await json<Problem>(await request('huette', 'grillhuette', 'member', body), 422)).errors;
      expect(await rules(hutRequest(at(10), 1))).toEqual([
        { path: 'end', message: 'a booking lasts at least 2 hours' },
      ]);
      expect(await rules(hutRequest(at(10), 49))).toEqual([
        { path: 'end', message: 'a booking lasts at most 48 hours' },
      ]);
      expect(await rules(hutRequest(at(1)))).toEqual([
        { path: 'start', message: 'requests must come at least 3 days before the start' },
      ]);
      expect(await rules(hutRequest(at(200)))).toEqual([
        { path: 'start', message: 'bookings may start at most 180 days ahead' },
      ]);
      expect(await rules(hutRequest(at(-2)))).toEqual([{ path: 'start', message: 'must be in the future' }]);
      expect(
        await rules(hutRequest(at(10), 4, { acceptHouseRules: false, answers: { sauna: 'ja' } })),
      ).toEqual([
        { path: 'acceptHouseRules', message: 'accept the house rules first' },
        { path: 'answers.sauna', message: 'not a question of this resource' },
        { path: 'answers.ausschank', message: 'required' },
      ]);
      expect(await rules(hutRequest(at(10), 4, { expectedGuests: 61 }))).toEqual([
        { path: 'expectedGuests', message: 'the place holds at most 60 people' },
      ]);
      // Nothing was booked by the rejected requests.
      const count = await inTenant((em) =>
        em
          .getConnection()
          .execute<{ n: number }[]>(
            `select count(*)::int as n from bookings b join bookable_resources r on r.id = b.resource_id where r.key = 'grillhuette'`,
          ),
      );
      expect(count[0]!.n).toBe(0);
    });

    it('stores Markdown as written and returns it rendered, with XSS inert', async () => {
      const purpose = 'Sommerfest **mit Musik** <script>alert(1)</script><img src=x onerror="alert(2)">';
      const booking = await json<Booking>(
        await request('saal', 'raum', 'member', roomRequest(at(50), 3, { purpose })),
        201,
      );
      expect(booking.purpose).toBe(purpose);
      expect(booking.purposeHtml).toContain('<strong>mit Musik</strong>');
      // The tags come back as text, not as elements.
      expect(booking.purposeHtml).not.toMatch(/<script|<img/);
      const declined = await json<Booking>(
        await call('POST', `/groups/saal/booking/requests/${booking.id}/decline`, 'steward', {
          message: 'Leider <a href="javascript:alert(3)">belegt</a>',
        }),
        200,
      );
      expect(declined.decisionMessageHtml).not.toMatch(/<a[^>]*javascript:/);
    });

    it('lets exactly one of 50 parallel overlapping requests win; the rest get 409 naming the slot', async () => {
      const base = at(60);
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          request(
            'huette',
            'grillhuette',
            index % 2 === 0 ? 'member' : 'member2',
            // Every period overlaps every other one (all contain base+3h..base+4h).
            hutRequest(new Date(base.getTime() + (index % 3) * HOUR), 4),
          ),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(49);
      const winner = await json<Booking>(responses[statuses.indexOf(201)]!, 201);
      for (const response of responses.filter((r) => r.status === 409)) {
        const problem = (await response.json()) as Problem;
        expect(problem.type).toBe('/problems/conflict');
        expect(problem.conflictingSlot).toEqual({ start: winner.start, end: winner.end, state: 'tentative' });
        expect(JSON.stringify(problem)).not.toMatch(/Mia|Max|Mitglied|Mustermann|6131/);
      }
      const overlaps = await inTenant((em) =>
        em.getConnection().execute<{ n: number }[]>(
          `select count(*)::int as n from bookings a join bookings b
              on a.resource_id = b.resource_id and a.id < b.id
             and tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
           where a.status in ('requested', 'approved') and b.status in ('requested', 'approved')`,
        ),
      );
      expect(overlaps[0]!.n).toBe(0);
      // Adjacent periods do not overlap (half-open): the slot right after the winner is free.
      expect(
        (await request('huette', 'grillhuette', 'member2', hutRequest(new Date(winner.end), 2))).status,
      ).toBe(201);
    });

    it('decline frees the slot; decisions and hand-over are audited and reach the outbox', async () => {
      const start = at(70);
      const first = await json<Booking>(
        await request('huette', 'grillhuette', 'member', hutRequest(start)),
        201,
      );
      expect(first.status).toBe('requested');
      const outboxOf = (topic: string, bookingId: string) =>
        inTenant((em) => em.find(OutboxEventSchema, { topic, payload: { bookingId } }));
      const created = await outboxOf('booking.request.created', first.id);
      expect(created).toHaveLength(1);
      expect(JSON.stringify(created[0]!.payload)).not.toContain('@');
      expect((await request('huette', 'grillhuette', 'member2', hutRequest(start))).status).toBe(409);

      // Only stewards decide.
      expect(
        (
          await call('POST', `/groups/huette/booking/requests/${first.id}/decline`, 'member2', {
            message: 'x',
          })
        ).status,
      ).toBe(403);
      expect(
        (await call('POST', `/groups/huette/booking/requests/${first.id}/decline`, 'steward', {})).status,
      ).toBe(400);
      const declined = await json<Booking>(
        await call('POST', `/groups/huette/booking/requests/${first.id}/decline`, 'steward', {
          message: 'Da ist schon das **Feuerwehrfest**.',
        }),
        200,
      );
      expect(declined).toMatchObject({
        status: 'declined',
        decisionMessage: 'Da ist schon das **Feuerwehrfest**.',
      });
      expect(await outboxOf('booking.request.declined', first.id)).toHaveLength(1);
      // Deciding again is a conflict.
      expect(
        (await call('POST', `/groups/huette/booking/requests/${first.id}/approve`, 'steward', {})).status,
      ).toBe(409);

      // The slot is free again.
      const second = await json<Booking>(
        await request('huette', 'grillhuette', 'member2', hutRequest(start)),
        201,
      );
      const approved = await json<Booking>(
        await call('POST', `/groups/huette/booking/requests/${second.id}/approve`, 'steward', {
          message: 'Viel Spaß!',
        }),
        200,
      );
      expect(approved).toMatchObject({ status: 'approved', depositStatus: 'due' });
      expect(await outboxOf('booking.request.approved', second.id)).toHaveLength(1);

      const handedOver = await json<Booking>(
        await call('PATCH', `/groups/huette/booking/requests/${second.id}/handover`, 'steward', {
          depositStatus: 'received',
          keyNotes: 'Schlüssel am Freitag 17 Uhr übergeben',
        }),
        200,
      );
      expect(handedOver).toMatchObject({
        depositStatus: 'received',
        keyNotes: 'Schlüssel am Freitag 17 Uhr übergeben',
      });
      expect(
        (
          await call('PATCH', `/groups/huette/booking/requests/${second.id}/handover`, 'member2', {
            keyNotes: 'x',
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await call('PATCH', `/groups/huette/booking/requests/${second.id}/handover`, 'steward', {
            depositStatus: 'lost',
          })
        ).status,
      ).toBe(400);
      // The requester sees the deposit state, not the stewards' key notes.
      const own = await json<Booking>(
        await call('GET', `/groups/huette/booking/requests/${second.id}`, 'member2'),
        200,
      );
      expect(own).toMatchObject({ depositStatus: 'received', keyNotes: null, mine: true });

      const audit = await inTenant((em) =>
        em.find(
          AuditEventSchema,
          { entityId: { $in: [first.id, second.id] } },
          { orderBy: { createdAt: 'asc' } },
        ),
      );
      expect(audit.map((entry) => entry.action)).toEqual([
        'booking.request.declined',
        'booking.request.approved',
        'booking.request.handover_updated',
      ]);
      expect(audit.every((entry) => entry.actorMemberId === memberIds.steward)).toBe(true);
      // The tenant admin reads them in the audit log.
      const log = await json<{ items: { action: string }[] }>(
        await call('GET', '/audit?limit=100', 'tenantAdmin'),
        200,
      );
      expect(log.items.map((entry) => entry.action)).toEqual(
        expect.arrayContaining(['booking.request.declined', 'booking.request.approved']),
      );
    });

    it('lets the requester cancel (not audited) and a steward cancel anyone (audited); cancelling frees the slot', async () => {
      const start = at(80);
      const mine = await json<Booking>(await request('saal', 'raum', 'member', roomRequest(start)), 201);
      // Someone else (not a steward) cannot even see it.
      expect(
        (await call('POST', `/groups/saal/booking/requests/${mine.id}/cancel`, 'member2', {})).status,
      ).toBe(404);
      expect((await call('GET', `/groups/saal/booking/requests/${mine.id}`, 'member2')).status).toBe(404);
      await json<Booking>(
        await call('POST', `/groups/saal/booking/requests/${mine.id}/cancel`, 'member', {}),
        200,
      );
      expect(
        (await call('POST', `/groups/saal/booking/requests/${mine.id}/cancel`, 'member', {})).status,
      ).toBe(409);
      const theirs = await json<Booking>(await request('saal', 'raum', 'member2', roomRequest(start)), 201);
      const cancelled = await json<Booking>(
        await call('POST', `/groups/saal/booking/requests/${theirs.id}/cancel`, 'steward', {
          message: 'Wasserschaden',
        }),
        200,
      );
      expect(cancelled).toMatchObject({ status: 'cancelled', decisionMessage: 'Wasserschaden' });
      const audit = await inTenant((em) =>
        em.find(AuditEventSchema, { entityId: { $in: [mine.id, theirs.id] } }),
      );
      expect(audit.map((entry) => [entry.entityId, entry.action])).toEqual([
        [theirs.id, 'booking.request.cancelled'],
      ]);
      const outbox = await inTenant((em) =>
        em.find(OutboxEventSchema, {
          topic: 'booking.request.cancelled',
          payload: { bookingId: { $in: [mine.id, theirs.id] } },
        }),
      );
      expect(outbox).toHaveLength(2);
      expect((await request('saal', 'raum', 'member', roomRequest(start))).status).toBe(201);
    });

    it("keeps the stewards' queue to stewards, paged in a stable order, and lists my own requests", async () => {
      const a = await json<Booking>(await request('vorstand', 'raum', 'member', roomRequest(at(90))), 201);
      const b = await json<Booking>(await request('vorstand', 'raum', 'member2', roomRequest(at(91))), 201);
      expect((await call('GET', '/groups/vorstand/booking/requests', 'member')).status).toBe(403);
      expect((await call('GET', '/groups/vorstand/booking/requests', 'anonymous')).status).toBe(401);
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Booking[]; nextCursor: string | null } = await json(
          await call(
            'GET',
            `/groups/vorstand/booking/requests?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
            'steward',
          ),
          200,
        );
        all.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(all.indexOf(a.id)).toBeLessThan(all.indexOf(b.id));
      expect(new Set(all).size).toBe(all.length);
      const mine = await json<{ items: Booking[] }>(
        await call('GET', '/groups/vorstand/booking/requests/mine', 'member'),
        200,
      );
      expect(mine.items.map((item) => item.id)).toContain(a.id);
      expect(mine.items.map((item) => item.id)).not.toContain(b.id);
      // Across the tenant: own requests of every group, none of others.
      const everywhere = await json<{ items: Booking[] }>(
        await call('GET', '/booking/requests/mine?limit=100', 'member2'),
        200,
      );
      expect(everywhere.items.map((item) => item.id)).toContain(b.id);
      expect(
        everywhere.items.every((item) => item.mine && item.requester.memberId === memberIds.member2),
      ).toBe(true);
      expect(new Set(everywhere.items.map((item) => item.group.key))).toEqual(
        new Set(['huette', 'saal', 'vorstand']),
      );
      expect((await call('GET', '/booking/requests/mine', 'anonymous')).status).toBe(401);
    });
  });

  describe('occupancy', () => {
    it('shows the requester their booking in full and everyone else only busy or tentative', async () => {
      const start = at(100);
      const booking = await json<Booking>(
        await request(
          'huette',
          'grillhuette',
          'member',
          hutRequest(start, 4, { purpose: 'Geheimer Geburtstag' }),
        ),
        201,
      );
      const path = `/groups/huette/booking/resources/grillhuette/occupancy?from=${encodeURIComponent(
        at(99).toISOString(),
      )}&to=${encodeURIComponent(at(101).toISOString())}`;
      const own = await json<{ slots: Slot[] }>(await call('GET', path, 'member'), 200);
      expect(own.slots).toEqual([
        expect.objectContaining({
          state: 'tentative',
          booking: expect.objectContaining({ id: booking.id, mine: true }),
        }),
      ]);
      for (const who of ['anonymous', 'member2', 'outsider', 'steward', 'foreign'] as Who[]) {
        const response = await call('GET', path, who);
        const text = await response.text();
        expect([who, response.status]).toEqual([who, 200]);
        expect(JSON.parse(text).slots).toEqual([
          { start: booking.start, end: booking.end, state: 'tentative', booking: null },
        ]);
        expect(text).not.toMatch(/Mia|Mitglied|Geheimer|6131|example\.org/);
      }
      await json(
        await call('POST', `/groups/huette/booking/requests/${booking.id}/approve`, 'steward', {}),
        200,
      );
      const busy = await json<{ slots: Slot[] }>(await call('GET', path, 'anonymous'), 200);
      expect(busy.slots.map((slot) => slot.state)).toEqual(['busy']);
    });

    it('hides the occupancy from anonymous callers when the template says so', async () => {
      const setPublic = (publicCalendar: boolean) =>
        inTenant(async (em) => {
          const row = await em.findOneOrFail(GroupModuleSchema, {
            module: 'booking',
            group: { key: 'huette' },
          });
          row.settings = { ...row.settings, publicCalendar };
          await em.flush();
        });
      const path = `/groups/huette/booking/resources/grillhuette/occupancy?from=${encodeURIComponent(
        at(0).toISOString(),
      )}&to=${encodeURIComponent(at(30).toISOString())}`;
      await setPublic(false);
      try {
        expect((await call('GET', path, 'anonymous')).status).toBe(401);
        expect((await call('GET', path, 'outsider')).status).toBe(200);
        // The resource and its rules stay public.
        expect((await call('GET', '/groups/huette/booking/resources/grillhuette', 'anonymous')).status).toBe(
          200,
        );
      } finally {
        await setPublic(true);
      }
      expect((await call('GET', path, 'anonymous')).status).toBe(200);
    });

    it('answers If-None-Match with 304 while nothing changed', async () => {
      const path = `/groups/saal/booking/resources/raum/occupancy?from=${encodeURIComponent(
        at(0).toISOString(),
      )}&to=${encodeURIComponent(at(200).toISOString())}`;
      const first = await call('GET', path, 'member2');
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag')!;
      expect(etag).toBeTruthy();
      expect((await call('GET', path, 'member2', undefined, { 'if-none-match': etag })).status).toBe(304);
      await json(await request('saal', 'raum', 'member2', roomRequest(at(150))), 201);
      expect((await call('GET', path, 'member2', undefined, { 'if-none-match': etag })).status).toBe(200);
    });
  });

  describe('resources', () => {
    it('lets only tenant admins edit a resource, audited', async () => {
      const change = {
        depositCents: 15_000,
        extraFields: [{ key: 'ausschank', label: { de: 'Ausschank?' }, required: false }],
      };
      expect(
        (await call('PATCH', '/groups/huette/booking/resources/grillhuette', 'steward', change)).status,
      ).toBe(403);
      expect(
        (await call('PATCH', '/groups/huette/booking/resources/grillhuette', 'member', change)).status,
      ).toBe(403);
      expect(
        (await call('PATCH', '/groups/huette/booking/resources/grillhuette', 'anonymous', change)).status,
      ).toBe(401);
      const invalid = await json<Problem>(
        await call('PATCH', '/groups/huette/booking/resources/grillhuette', 'tenantAdmin', {
          minHours: 10,
          maxHours: 5,
          owner: 'x',
        }),
        400,
      );
      expect(invalid.type).toBe('/problems/validation-failed');
      const updated = await json<{
        rules: { depositCents: number; minHours: number };
        extraFields: unknown[];
      }>(await call('PATCH', '/groups/huette/booking/resources/grillhuette', 'tenantAdmin', change), 200);
      expect(updated.rules).toMatchObject({ depositCents: 15_000, minHours: 2 });
      expect(updated.extraFields).toEqual(change.extraFields);
      const audit = await inTenant((em) => em.find(AuditEventSchema, { action: 'booking.resource.updated' }));
      expect(audit).toHaveLength(1);
      expect(audit[0]!.details).toMatchObject({ fields: ['depositCents', 'extraFields'] });
      // The answer is optional now.
      expect(
        (await request('huette', 'grillhuette', 'member', hutRequest(at(110), 4, { answers: {} }))).status,
      ).toBe(201);
    });
  });

  describe('calendar', () => {
    it('hands stewards a secret feed URL and serves busy times without names as iCal', async () => {
      expect(
        (await call('POST', '/groups/huette/booking/resources/grillhuette/calendar-feed', 'member')).status,
      ).toBe(403);
      const { url } = await json<{ url: string }>(
        await call('POST', '/groups/huette/booking/resources/grillhuette/calendar-feed', 'steward'),
        200,
      );
      expect(url).toMatch(
        new RegExp(`^${api.base}/api/tenants/${tenant.slug}/calendar/[A-Za-z0-9_-]{43}\\.ics$`),
      );
      const audit = await inTenant((em) =>
        em.find(AuditEventSchema, { action: 'booking.resource.feed_rotated' }),
      );
      expect(audit).toHaveLength(1);

      const calendar = api.app.get(BookingCalendar);
      expect(api.app.get(CalendarSources).all()).toContain(calendar);
      const range = { from: at(60), to: at(120) };
      const { resourceId, busy, own, groupItems } = await inTenant(async (em) => {
        const hut = await em.findOneOrFail(BookableResourceSchema, {
          key: 'grillhuette',
          group: { key: 'huette' },
        });
        const actor = {
          person: null,
          membership: { memberId: memberIds.member!, role: 'member' as const },
        } as unknown as Parameters<BookingCalendar['memberItems']>[0];
        return {
          resourceId: hut.id,
          busy: await calendar.busyItems(hut.id, range),
          own: await calendar.memberItems(actor, range),
          groupItems: await calendar.groupItems(hut.group.id, range),
        };
      });
      expect(resourceId).toBeTruthy();
      expect(busy.length).toBeGreaterThanOrEqual(3);
      expect(busy.map((item) => item.status)).toEqual(expect.arrayContaining(['TENTATIVE', 'CONFIRMED']));
      expect(groupItems.map((item) => item.uid).sort()).toEqual(busy.map((item) => item.uid).sort());
      // The member's own calendar has their bookings, with what they are for.
      expect(own.map((item) => item.description)).toContain('Geheimer Geburtstag');
      expect(own.find((item) => item.description === 'Geheimer Geburtstag')!.status).toBe('CONFIRMED');

      // The feed at its secret URL (no session): an independent parser reads it, and it names nobody.
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/calendar/);
      const text = await response.text();
      expect(text).not.toMatch(/Mia|Max|Mitglied|Mustermann|Geheimer|Geburtstag|6131/);
      const parsed = new ICAL.Component(ICAL.parse(text));
      expect(parsed.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe('Europe/Berlin');
      const events = parsed.getAllSubcomponents('vevent').map((event) => new ICAL.Event(event));
      expect(events.map((event) => event.uid).sort()).toEqual(busy.map((item) => item.uid).sort());
      expect(events[0]!.summary).toMatch(/^Grillhütte am Waldrand: (angefragt|belegt)$/);
      // The same UIDs on the next request; a rotated URL stops working.
      const again = new ICAL.Component(ICAL.parse(await (await fetch(url)).text()));
      expect(
        again
          .getAllSubcomponents('vevent')
          .map((event) => new ICAL.Event(event).uid)
          .sort(),
      ).toEqual(events.map((event) => event.uid).sort());
      await call('POST', '/groups/huette/booking/resources/grillhuette/calendar-feed', 'steward');
      expect((await fetch(url)).status).toBe(404);
      expect(events[0]!.location).toBe('Am Waldrand 1');
    });
  });
});
