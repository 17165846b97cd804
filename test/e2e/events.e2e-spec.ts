import type { MikroORM } from '@mikro-orm/postgresql';
import ICAL from 'ical.js';
import { calendarResponseHeaders, CalendarSources, createCalendar } from '@allmende/calendar';
import { AuditEventSchema, OutboxEventSchema } from '@allmende/content';
import { TenantScope } from '@allmende/db';
import { EventRsvpSchema } from '@allmende/events';
import { GroupMemberSchema, GroupModuleSchema, GroupSchema, type GroupVisibility } from '@allmende/groups';
import { MemberSchema } from '@allmende/members';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../support/fixtures';
import { passwordToken, startApiWithIdentityProvider, type ApiWithIdentity } from '../support/identity';
import { expectJson, tenantApi } from '../support/api-client';

interface EventView {
  id: string;
  group: { id: string; key: string };
  title: string;
  description: string;
  descriptionHtml: string;
  place: string | null;
  startsAt: string;
  endsAt: string;
  allDay: boolean;
  capacity: number | null;
  author: { memberId: string; givenName: string; familyName: string };
  mine: boolean;
  cancelled: boolean;
  counts: {
    yes: number;
    maybe: number;
    no: number;
    placesTaken: number;
    placesLeft: number | null;
    waitlisted: number;
    waitlistedPlaces: number;
  };
  myRsvp: { answer: string; guests: number; status: string; waitlistPosition: number | null } | null;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface Attendee {
  memberId: string;
  givenName: string;
  familyName: string;
  answer: string;
  guests: number;
  status: string;
  waitlistPosition: number | null;
}

const person = (given: string, family: string) => ({
  email: `${given.toLowerCase()}.${family.toLowerCase()}@example.org`,
  givenName: given,
  familyName: family,
  emailVerified: true,
});
/** Members of `garten` who answer at once in the concurrency test. */
const CROWD = Array.from({ length: 8 }, (_, index) => `crowd${index}` as const);

/** The events module through the API, with real tokens from a dev identity provider. */
describe('events', () => {
  let orm: MikroORM;
  let api: ApiWithIdentity;
  let tenant: Tenant;
  let other: Tenant;
  const people: Record<string, ReturnType<typeof person>> = {
    tenantAdmin: person('Rita', 'Rathaus'),
    groupAdmin: person('Gustav', 'Garten'),
    member: person('Mia', 'Mitglied'),
    member2: person('Max', 'Mitglied'),
    member3: person('Mara', 'Mitglied'),
    outsider: person('Otto', 'Ausserhalb'),
    foreign: person('Fiona', 'Fremd'),
    ...Object.fromEntries(CROWD.map((key, index) => [key, person(`Crowd${index}`, 'Menge')])),
  };
  type Who = string;
  const memberIds: Record<string, string> = {};
  const tokens = new Map<string, string>();
  const token = async (who: Who) => {
    const email = people[who]!.email;
    if (!tokens.has(email)) tokens.set(email, await passwordToken(api.idp, email));
    return tokens.get(email)!;
  };

  const call = tenantApi(
    () => api,
    people,
    () => tenant.slug,
  );

  const json = expectJson;

  let day = 0;
  /** Each event on a day of its own, a year ahead, so ranges can pick single events. */
  const nextSlot = () => {
    day += 1;
    const startsAt = new Date(Date.UTC(2027, 0, 1, 17) + day * 24 * 60 * 60 * 1000);
    return {
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 2 * 3600_000).toISOString(),
    };
  };
  const createEvent = async (group: string, who: Who, extra: Record<string, unknown> = {}) =>
    json<EventView>(
      await call('POST', `/groups/${group}/events`, who, {
        title: 'Pflanzentausch',
        description: 'Bringt **Ableger** mit.',
        place: 'Gemeindehaus',
        ...nextSlot(),
        ...extra,
      }),
      201,
    );
  const rsvp = (group: string, eventId: string, who: Who, answer: string, guests = 0) =>
    call('PUT', `/groups/${group}/events/${eventId}/rsvp`, who, { answer, guests });
  const inTenant = <T>(fn: (em: Parameters<Parameters<TenantScope['run']>[1]>[0]) => Promise<T>) =>
    new TenantScope(orm).run(tenant.id, fn);

  beforeAll(async () => {
    orm = await openOrm();
    tenant = await createTenant(orm, 'Ortsgemeinde Festlich');
    other = await createTenant(orm, 'Nachbargemeinde Fest');
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
      const members = ['member', 'member2', 'member3'].map((who) => member(who));
      member('outsider');
      const crowd = CROWD.map((who) => member(who));
      const group = (key: string, visibility: GroupVisibility, events = true) => {
        const row = em.create(GroupSchema, { key, name: { de: key }, visibility, joinPolicy: 'open' });
        if (events) em.create(GroupModuleSchema, { group: row, module: 'events', settings: {} });
        em.create(GroupMemberSchema, { group: row, member: groupAdmin, role: 'group_admin' });
        for (const each of members) em.create(GroupMemberSchema, { group: row, member: each });
        return row;
      };
      const garten = group('garten', 'public');
      for (const each of crowd) em.create(GroupMemberSchema, { group: garten, member: each });
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

  describe('who may read and write', () => {
    const roles = ['anonymous', 'foreign', 'outsider', 'member', 'groupAdmin', 'tenantAdmin'] as const;
    const readers: [GroupVisibility, string, number[]][] = [
      ['public', 'garten', [200, 200, 200, 200, 200, 200]],
      ['members', 'nachbarn', [404, 404, 200, 200, 200, 200]],
      ['private', 'vorstand', [404, 404, 404, 200, 200, 200]],
    ];
    it.each(readers)('reads a %s group as the matrix says', async (_visibility, group, expected) => {
      const event = await createEvent(group, 'member');
      for (const [index, who] of roles.entries()) {
        const list = await call('GET', `/groups/${group}/events?from=2027-01-01T00:00:00Z`, who);
        expect([who, list.status]).toEqual([who, expected[index]]);
        if (list.status === 200) {
          expect(((await list.json()) as Page<EventView>).items.map((item) => item.id)).toContain(event.id);
        }
        const one = await call('GET', `/groups/${group}/events/${event.id}`, who);
        expect([who, one.status]).toEqual([who, expected[index]]);
      }
    });

    // The tenant admin is no member of these groups: reading yes, writing (creating, answering) no.
    const writers: [GroupVisibility, string, number[]][] = [
      ['public', 'garten', [401, 403, 403, 201, 201, 403]],
      ['members', 'nachbarn', [401, 404, 403, 201, 201, 403]],
      ['private', 'vorstand', [401, 404, 404, 201, 201, 403]],
    ];
    it.each(writers)('writes in a %s group as the matrix says', async (_visibility, group, expected) => {
      const event = await createEvent(group, 'groupAdmin');
      for (const [index, who] of roles.entries()) {
        const created = await call('POST', `/groups/${group}/events`, who, {
          title: 'Treffen',
          ...nextSlot(),
        });
        expect([who, created.status]).toEqual([who, expected[index]]);
        const answered = await rsvp(group, event.id, who, 'yes');
        const answerStatus = expected[index] === 201 ? 200 : expected[index];
        expect([who, answered.status]).toEqual([who, answerStatus]);
      }
    });

    it('answers 404 for a group without the module, and for events of other groups', async () => {
      expect((await call('GET', '/groups/ohne/events', 'member')).status).toBe(404);
      expect(
        (await call('POST', '/groups/ohne/events', 'member', { title: 'x', ...nextSlot() })).status,
      ).toBe(404);
      const secret = await createEvent('vorstand', 'member');
      expect((await call('GET', `/groups/garten/events/${secret.id}`, 'member')).status).toBe(404);
      expect((await rsvp('garten', secret.id, 'member', 'yes')).status).toBe(404);
      expect(
        (await call('GET', '/groups/garten/events/0195f0a4-0000-7000-8000-000000000000', 'member')).status,
      ).toBe(404);
    });
  });

  it('rejects invalid and unknown fields with 400 and field paths', async () => {
    const bad = await call('POST', '/groups/garten/events', 'member', {
      title: '',
      startsAt: '2027-03-01T18:00:00Z',
      endsAt: '2027-03-01T17:00:00Z',
      capacity: 0,
      tenantId: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await bad.json()) as { errors: { path: string; message: string }[] };
    expect(problem.errors.map((error) => error.path).sort()).toEqual([
      '(root)',
      'capacity',
      'endsAt',
      'title',
    ]);
    expect(problem.errors.find((error) => error.path === '(root)')!.message).toContain('tenantId');
    const backwards = await call('POST', '/groups/garten/events', 'member', {
      title: 'Rückwärts',
      startsAt: '2027-03-01T18:00:00Z',
      endsAt: '2027-03-01T17:00:00Z',
    });
    expect((await json<{ errors: { path: string }[] }>(backwards, 400)).errors[0]!.path).toBe('endsAt');
    const event = await createEvent('garten', 'member');
    const answer = await call('PUT', `/groups/garten/events/${event.id}/rsvp`, 'member', {
      answer: 'perhaps',
      guests: -1,
    });
    expect(
      (await json<{ errors: { path: string }[] }>(answer, 400)).errors.map((e) => e.path).sort(),
    ).toEqual(['answer', 'guests']);
    expect((await call('PATCH', `/groups/garten/events/${event.id}`, 'member', {})).status).toBe(400);
    // An edit that moves the end before the stored start is caught too.
    const earlyEnd = await call('PATCH', `/groups/garten/events/${event.id}`, 'member', {
      endsAt: '2020-01-01T00:00:00Z',
    });
    expect((await json<{ errors: { path: string }[] }>(earlyEnd, 400)).errors[0]!.path).toBe('endsAt');
    const range = await call(
      'GET',
      '/groups/garten/events?from=2027-02-01T00:00:00Z&to=2027-01-01T00:00:00Z',
      'member',
    );
    expect((await json<{ errors: { path: string }[] }>(range, 400)).errors[0]!.path).toBe('to');
    expect((await call('GET', '/groups/garten/events?foo=1', 'member')).status).toBe(400);
    expect((await call('GET', '/groups/garten/events/not-a-uuid', 'member')).status).toBe(400);
  });

  it('stores Markdown as written and returns it rendered, with XSS inert', async () => {
    const description =
      'Hallo <script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:alert(3)) **fett**';
    const event = await createEvent('garten', 'member', { description });
    const read = await json<EventView>(
      await call('GET', `/groups/garten/events/${event.id}`, 'anonymous'),
      200,
    );
    expect(read.description).toBe(description);
    expect(read.descriptionHtml).toContain('<strong>fett</strong>');
    expect(read.descriptionHtml).not.toMatch(/<script|<img|href="javascript/i);
    expect(read.descriptionHtml).toContain('&lt;script&gt;');
  });

  it('lets the author or a moderator edit and cancel, audits moderators, and writes outbox rows', async () => {
    const event = await createEvent('garten', 'member');
    expect(event.mine).toBe(true);
    expect(event.author).toEqual({ memberId: memberIds.member, givenName: 'Mia', familyName: 'Mitglied' });
    expect(JSON.stringify(event)).not.toContain('@example.org');
    await json(await rsvp('garten', event.id, 'member2', 'maybe'), 200);
    expect(
      (await call('PATCH', `/groups/garten/events/${event.id}`, 'member2', { title: 'Meins' })).status,
    ).toBe(403);
    expect((await call('POST', `/groups/garten/events/${event.id}/cancel`, 'member2')).status).toBe(403);
    expect(
      (await call('PATCH', `/groups/garten/events/${event.id}`, 'anonymous', { title: 'x' })).status,
    ).toBe(401);
    const own = await json<EventView>(
      await call('PATCH', `/groups/garten/events/${event.id}`, 'member', { place: 'Scheune' }),
      200,
    );
    expect(own.place).toBe('Scheune');
    const moderated = await json<EventView>(
      await call('PATCH', `/groups/garten/events/${event.id}`, 'tenantAdmin', { title: 'Pflanzenbörse' }),
      200,
    );
    expect(moderated.title).toBe('Pflanzenbörse');
    const cancelled = await json<EventView>(
      await call('POST', `/groups/garten/events/${event.id}/cancel`, 'groupAdmin'),
      201,
    );
    expect(cancelled.cancelled).toBe(true);
    expect((await call('POST', `/groups/garten/events/${event.id}/cancel`, 'member')).status).toBe(409);
    expect((await rsvp('garten', event.id, 'member3', 'yes')).status).toBe(409);
    expect((await call('PATCH', `/groups/garten/events/${event.id}`, 'member', { title: 'x' })).status).toBe(
      409,
    );

    const outbox = await inTenant((em) =>
      em.find(OutboxEventSchema, { topic: { $like: 'events.event.%' } }, { orderBy: { createdAt: 'asc' } }),
    );
    const mine = outbox.filter((row) => (row.payload as { eventId?: string }).eventId === event.id);
    expect(mine.map((row) => row.topic)).toEqual([
      'events.event.created',
      'events.event.updated',
      'events.event.updated',
      'events.event.cancelled',
    ]);
    expect(mine[3]!.payload).toEqual({
      groupId: event.group.id,
      eventId: event.id,
      participantMemberIds: [memberIds.member2],
    });
    expect(JSON.stringify(mine.map((row) => row.payload))).not.toContain('@');

    const audit = await inTenant((em) =>
      em.find(AuditEventSchema, { entityId: event.id }, { orderBy: { createdAt: 'asc' } }),
    );
    expect(audit.map((row) => [row.action, row.actorMemberId])).toEqual([
      ['events.event.edited', memberIds.tenantAdmin],
      ['events.event.cancelled', memberIds.groupAdmin],
    ]);
    const log = await json<{ items: { action: string; entityId: string }[] }>(
      await call('GET', '/audit', 'tenantAdmin'),
      200,
    );
    expect(
      log.items
        .filter((item) => item.entityId === event.id)
        .map((item) => item.action)
        .sort(),
    ).toEqual(['events.event.cancelled', 'events.event.edited']);
  });

  it('reminds again of an event moved to another time, not of one only renamed', async () => {
    const event = await createEvent('garten', 'member');
    await json(await rsvp('garten', event.id, 'member2', 'yes'), 200);
    const remindedAt = () =>
      inTenant(
        async (em) =>
          (await em.findOneOrFail(EventRsvpSchema, { event: event.id }, { refresh: true })).remindedAt,
      );
    await inTenant((em) => em.nativeUpdate(EventRsvpSchema, { event: event.id }, { remindedAt: new Date() }));
    await json(
      await call('PATCH', `/groups/garten/events/${event.id}`, 'member', { title: 'Pflanzenmarkt' }),
      200,
    );
    expect(await remindedAt()).toBeInstanceOf(Date);
    const later = new Date(new Date(event.startsAt).getTime() + 24 * 60 * 60 * 1000);
    await json(
      await call('PATCH', `/groups/garten/events/${event.id}`, 'member', {
        startsAt: later.toISOString(),
        endsAt: new Date(later.getTime() + 60 * 60 * 1000).toISOString(),
      }),
      200,
    );
    expect(await remindedAt()).toBeNull();
  });

  it('puts "yes" beyond capacity on a waitlist and promotes in order, counting guests as places', async () => {
    // 3 places. Mia brings one guest (2 places), Max with one guest (2) waits, Mara alone (1)
    // would fit but must not overtake Max.
    const event = await createEvent('garten', 'groupAdmin', { capacity: 3 });
    const mia = await json<EventView>(await rsvp('garten', event.id, 'member', 'yes', 1), 200);
    expect(mia.myRsvp).toEqual({ answer: 'yes', guests: 1, status: 'confirmed', waitlistPosition: null });
    const max = await json<EventView>(await rsvp('garten', event.id, 'member2', 'yes', 1), 200);
    expect(max.myRsvp).toEqual({ answer: 'yes', guests: 1, status: 'waitlisted', waitlistPosition: 1 });
    const mara = await json<EventView>(await rsvp('garten', event.id, 'member3', 'yes'), 200);
    expect(mara.myRsvp).toMatchObject({ status: 'waitlisted', waitlistPosition: 2 });
    expect(mara.counts).toMatchObject({
      yes: 1,
      placesTaken: 2,
      placesLeft: 1,
      waitlisted: 2,
      waitlistedPlaces: 3,
    });
    // Mia cannot take more guests than there are places (she keeps her places).
    expect((await rsvp('garten', event.id, 'member', 'yes', 3)).status).toBe(409);
    // The maybe of a crowd member takes no place.
    await json(await rsvp('garten', event.id, 'crowd0', 'maybe', 3), 200);

    // Only the author and moderators see who answered; names only.
    expect((await call('GET', `/groups/garten/events/${event.id}/attendees`, 'member')).status).toBe(403);
    const attendees = await json<{ items: Attendee[] }>(
      await call('GET', `/groups/garten/events/${event.id}/attendees`, 'groupAdmin'),
      200,
    );
    expect(attendees.items.map((a) => [a.givenName, a.status, a.waitlistPosition])).toEqual([
      ['Mia', 'confirmed', null],
      ['Crowd0', 'confirmed', null],
      ['Max', 'waitlisted', 1],
      ['Mara', 'waitlisted', 2],
    ]);
    expect(JSON.stringify(attendees)).not.toContain('@');

    // Mia withdraws: Max (2 places) and then Mara (1) move up, in that order.
    const after = await json<EventView>(
      await call('DELETE', `/groups/garten/events/${event.id}/rsvp`, 'member'),
      200,
    );
    expect(after.myRsvp).toBeNull();
    expect(after.counts).toMatchObject({ yes: 2, placesTaken: 3, placesLeft: 0, waitlisted: 0, maybe: 1 });
    const promoted = await inTenant((em) =>
      em.find(OutboxEventSchema, { topic: 'events.rsvp.promoted' }, { orderBy: { createdAt: 'asc' } }),
    );
    expect(
      promoted
        .filter((row) => (row.payload as { eventId: string }).eventId === event.id)
        .map((row) => (row.payload as { memberId: string }).memberId),
    ).toEqual([memberIds.member2, memberIds.member3]);

    // Full again: a new "yes" waits; raising the capacity lets it in.
    const late = await json<EventView>(await rsvp('garten', event.id, 'member', 'yes'), 200);
    expect(late.myRsvp).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    const bigger = await json<EventView>(
      await call('PATCH', `/groups/garten/events/${event.id}`, 'groupAdmin', { capacity: 4 }),
      200,
    );
    expect(bigger.counts).toMatchObject({ yes: 3, placesTaken: 4, placesLeft: 0, waitlisted: 0 });
  });

  it('keeps capacity and waitlist order under concurrent RSVPs', async () => {
    // 5 places, 8 parties of 2 answering at once: 2 fit, 6 wait in one unbroken order.
    const event = await createEvent('garten', 'groupAdmin', { capacity: 5 });
    await Promise.all(CROWD.map((who) => token(who)));
    const answers = await Promise.all(CROWD.map((who) => rsvp('garten', event.id, who, 'yes', 1)));
    expect(answers.map((response) => response.status)).toEqual(CROWD.map(() => 200));
    const rows = await inTenant((em) => em.find(EventRsvpSchema, { event: event.id }));
    const confirmed = rows.filter((row) => row.status === 'confirmed');
    const waiting = rows
      .filter((row) => row.status === 'waitlisted')
      .sort((a, b) => a.position! - b.position!);
    expect(confirmed).toHaveLength(2);
    expect(waiting.map((row) => row.position)).toEqual([1, 2, 3, 4, 5, 6]);

    // Both confirmed parties withdraw at once while two more answer: exactly the first two
    // waiting parties move up, in order, and the newcomers join the end of the line.
    const firstTwo = waiting.slice(0, 2).map((row) => row.member.id);
    const leaving = confirmed.map((row) =>
      Object.keys(memberIds).find((who) => memberIds[who] === row.member.id)!,
    );
    await Promise.all(['member', 'member2'].map((who) => token(who)));
    const churn = await Promise.all([
      ...leaving.map((who) => call('DELETE', `/groups/garten/events/${event.id}/rsvp`, who)),
      rsvp('garten', event.id, 'member', 'yes'),
      rsvp('garten', event.id, 'member2', 'yes'),
    ]);
    expect(churn.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    const after = await inTenant((em) => em.find(EventRsvpSchema, { event: event.id }));
    const nowConfirmed = after.filter((row) => row.status === 'confirmed').map((row) => row.member.id);
    const taken = after
      .filter((row) => row.status === 'confirmed')
      .reduce((sum, row) => sum + 1 + row.guests, 0);
    expect(taken).toBeLessThanOrEqual(5);
    expect(nowConfirmed.sort()).toEqual([...firstTwo].sort());
    const line = after.filter((row) => row.status === 'waitlisted').sort((a, b) => a.position! - b.position!);
    expect(line.map((row) => row.member.id).slice(0, 4)).toEqual(
      waiting.slice(2).map((row) => row.member.id),
    );
    expect(
      line
        .slice(4)
        .map((row) => row.member.id)
        .sort(),
    ).toEqual([memberIds.member, memberIds.member2].sort());
    const view = await json<EventView>(
      await call('GET', `/groups/garten/events/${event.id}`, 'anonymous'),
      200,
    );
    expect(view.counts).toMatchObject({ yes: 2, placesTaken: 4, placesLeft: 1, waitlisted: 6 });
  });

  it('lists the tenant-wide calendar of what the caller may read, with ETag', async () => {
    const from = '2028-06-01T00:00:00Z';
    const to = '2028-06-30T00:00:00Z';
    const at = (date: string) => ({
      startsAt: `2028-06-${date}T10:00:00Z`,
      endsAt: `2028-06-${date}T12:00:00Z`,
    });
    const open = await createEvent('garten', 'member', at('10'));
    const members = await createEvent('nachbarn', 'member', at('11'));
    const secret = await createEvent('vorstand', 'member', at('12'));
    const ids = async (who: Who) =>
      (await json<Page<EventView>>(await call('GET', `/events?from=${from}&to=${to}`, who), 200)).items.map(
        (item) => item.id,
      );
    expect(await ids('anonymous')).toEqual([open.id]);
    expect(await ids('outsider')).toEqual([open.id, members.id]);
    expect(await ids('member')).toEqual([open.id, members.id, secret.id]);
    expect(await ids('tenantAdmin')).toEqual([open.id, members.id, secret.id]);

    // Paging keeps the order.
    const first = await json<Page<EventView>>(
      await call('GET', `/events?from=${from}&to=${to}&limit=2`, 'member'),
      200,
    );
    expect(first.items.map((item) => item.id)).toEqual([open.id, members.id]);
    const second = await json<Page<EventView>>(
      await call('GET', `/events?from=${from}&to=${to}&limit=2&cursor=${first.nextCursor!}`, 'member'),
      200,
    );
    expect(second).toEqual({ items: [expect.objectContaining({ id: secret.id })], nextCursor: null });

    const response = await call('GET', `/events?from=${from}&to=${to}`, 'member');
    const etag = response.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect(
      (await call('GET', `/events?from=${from}&to=${to}`, 'member', undefined, { 'if-none-match': etag }))
        .status,
    ).toBe(304);
    const groupList = await call('GET', `/groups/garten/events?from=${from}&to=${to}`, 'member');
    const groupTag = groupList.headers.get('etag')!;
    expect(
      (
        await call('GET', `/groups/garten/events?from=${from}&to=${to}`, 'member', undefined, {
          'if-none-match': groupTag,
        })
      ).status,
    ).toBe(304);
    await json(await rsvp('garten', open.id, 'member2', 'yes'), 200);
    expect(
      (await call('GET', `/events?from=${from}&to=${to}`, 'member', undefined, { 'if-none-match': etag }))
        .status,
    ).toBe(200);
    expect(
      (
        await call('GET', `/groups/garten/events?from=${from}&to=${to}`, 'member', undefined, {
          'if-none-match': groupTag,
        })
      ).status,
    ).toBe(200);
  });

  it('feeds member and group calendars with stable UIDs', async () => {
    const at = (date: string) => ({
      startsAt: `2029-03-${date}T18:00:00Z`,
      endsAt: `2029-03-${date}T20:00:00Z`,
    });
    const garden = await createEvent('garten', 'member', { title: 'Gartentag', ...at('05') });
    const board = await createEvent('vorstand', 'groupAdmin', { title: 'Vorstandssitzung', ...at('06') });
    const dropped = await createEvent('garten', 'member', { title: 'Abgesagt', ...at('07') });
    await json(await call('POST', `/groups/garten/events/${dropped.id}/cancel`, 'member'), 201);
    // The outsider is in no group but answered "maybe" to the garden day.
    await inTenant(async (em) => {
      em.create(EventRsvpSchema, {
        event: garden.id,
        member: memberIds.outsider!,
        answer: 'maybe',
        answeredAt: new Date(),
      });
      await em.flush();
    });
    const source = api.app
      .get(CalendarSources)
      .all()
      .find((each) => each.name === 'events')!;
    const range = { from: new Date('2029-03-01T00:00:00Z'), to: new Date('2029-04-01T00:00:00Z') };
    const scope = api.app.get(TenantScope);
    const actorOf = (who: string) => ({
      person: null,
      membership: { memberId: memberIds[who]!, role: 'member' as const },
    });
    const render = async (items: Awaited<ReturnType<NonNullable<typeof source.groupItems>>>) => {
      const calendar = createCalendar('Test', 'Europe/Berlin');
      for (const item of items) {
        calendar.createEvent({
          id: item.uid,
          start: item.start,
          end: item.end,
          allDay: item.allDay ?? false,
          summary: item.summary,
          ...(item.status ? { status: item.status as never } : {}),
        });
      }
      const parsed = new ICAL.Component(ICAL.parse(calendar.toString()) as unknown[]);
      return parsed
        .getAllSubcomponents('vevent')
        .map((vevent) => [
          vevent.getFirstPropertyValue('uid'),
          vevent.getFirstPropertyValue('summary'),
          vevent.getFirstPropertyValue('status'),
        ]);
    };
    const groupFeed = async () =>
      render(await scope.run(tenant.id, () => source.groupItems!(garden.group.id, range)));
    const first = await groupFeed();
    expect(first).toEqual([
      [`event-${garden.id}@allmende`, 'Gartentag', 'CONFIRMED'],
      [`event-${dropped.id}@allmende`, 'Abgesagt', 'CANCELLED'],
    ]);
    expect(await groupFeed()).toEqual(first);

    const memberFeed = async (who: string) =>
      render(await scope.run(tenant.id, () => source.memberItems!(actorOf(who) as never, range)));
    expect((await memberFeed('member')).map((row) => row[1])).toEqual([
      'Gartentag',
      'Vorstandssitzung',
      'Abgesagt',
    ]);
    expect(await memberFeed('outsider')).toEqual([[`event-${garden.id}@allmende`, 'Gartentag', 'TENTATIVE']]);
    expect((await memberFeed('member')).map((row) => row[0])).toContain(`event-${board.id}@allmende`);
    expect(calendarResponseHeaders()['Content-Type']).toContain('text/calendar');
  });
});
