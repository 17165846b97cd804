import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantScope } from '@allmende/db';
import { GroupSchema } from '@allmende/groups';
import { MemberSchema, type Member } from '@allmende/members';
import { OutboxEventSchema } from '@allmende/outbox';
import type { Tenant } from '@allmende/tenants';
import { createTenant, openOrm } from '../../../test/support/fixtures';
import { EventRsvpSchema, type RsvpAnswer, type RsvpStatus } from './event-rsvp.entity';
import { EventSchema } from './event.entity';
import { EventReminders } from './event-reminders.service';

const HOUR = 60 * 60 * 1000;

describe('EventReminders', () => {
  let orm: MikroORM;
  let scope: TenantScope;
  let reminders: EventReminders;

  beforeAll(async () => {
    orm = await openOrm();
    scope = new TenantScope(orm);
    reminders = new EventReminders(scope);
  });

  afterAll(async () => {
    await orm.close(true);
  });

  interface World {
    tenant: Tenant;
    members: Member[];
    groupId: string;
  }

  async function world(): Promise<World> {
    const tenant = await createTenant(orm);
    return scope.run(tenant.id, async (em) => {
      const members = ['a', 'b', 'c', 'd'].map((name) =>
        em.create(MemberSchema, { email: `${name}@example.org`, givenName: name, familyName: 'Test' }),
      );
      const group = em.create(GroupSchema, { key: 'dorf', name: { de: 'Dorf' } });
      await em.flush();
      return { tenant, members, groupId: group.id };
    });
  }

  /** An event starting at `startsAt` with one answer per given member. */
  async function eventWith(
    w: World,
    startsAt: Date,
    answers: { member: Member; answer?: RsvpAnswer; status?: RsvpStatus }[],
    cancelled = false,
  ): Promise<{ eventId: string; rsvpIds: string[] }> {
    return scope.run(w.tenant.id, async (em) => {
      const event = em.create(EventSchema, {
        group: w.groupId,
        author: w.members[0]!,
        title: 'Treffen',
        description: '',
        startsAt,
        endsAt: new Date(startsAt.getTime() + HOUR),
        cancelledAt: cancelled ? new Date() : null,
      });
      const rsvps = answers.map(({ member, answer = 'yes', status = 'confirmed' }, index) =>
        em.create(EventRsvpSchema, {
          event,
          member,
          answer,
          status,
          position: status === 'waitlisted' ? index + 1 : null,
          answeredAt: new Date(),
        }),
      );
      await em.flush();
      return { eventId: event.id, rsvpIds: rsvps.map((rsvp) => rsvp.id) };
    });
  }

  async function reminderRows(w: World) {
    return scope.run(w.tenant.id, (em) =>
      em.find(OutboxEventSchema, { topic: 'events.event.reminder' }, { orderBy: { createdAt: 'asc' } }),
    );
  }

  it('reminds each confirmed "yes" of an event 24–48 h ahead once, with its outbox row', async () => {
    const w = await world();
    const now = new Date(Date.now() + 1000 * HOUR); // far from every other test's events
    const startsAt = new Date(now.getTime() + 30 * HOUR);
    const [a, b, c, d] = w.members as [Member, Member, Member, Member];
    const { eventId, rsvpIds } = await eventWith(w, startsAt, [
      { member: a },
      { member: b, answer: 'maybe' },
      { member: c, answer: 'no' },
      { member: d, status: 'waitlisted' },
    ]);

    expect(await reminders.sendDue(now)).toBeGreaterThanOrEqual(1);
    const rows = await reminderRows(w);
    expect(rows.map((row) => row.payload)).toEqual([
      { groupId: w.groupId, eventId, rsvpId: rsvpIds[0], memberId: a.id, startsAt: startsAt.toISOString() },
    ]);
    const remindedAt = await scope.run(w.tenant.id, async (em) =>
      (await em.find(EventRsvpSchema, { event: eventId }, { orderBy: { member: 'asc' } })).map((rsvp) => [
        rsvp.member.id,
        rsvp.remindedAt?.getTime() ?? null,
      ]),
    );
    expect(Object.fromEntries(remindedAt)).toEqual({
      [a.id]: now.getTime(),
      [b.id]: null,
      [c.id]: null,
      [d.id]: null,
    });

    // Idempotent: the next runs (even concurrent ones) write nothing more for this tenant.
    await Promise.all([reminders.sendDue(now), reminders.sendDue(new Date(now.getTime() + HOUR))]);
    expect(await reminderRows(w)).toHaveLength(1);
  });

  it('reminds a waitlisted "yes" once it is promoted', async () => {
    const w = await world();
    const now = new Date(Date.now() + 2000 * HOUR);
    const { rsvpIds } = await eventWith(w, new Date(now.getTime() + 40 * HOUR), [
      { member: w.members[1]!, status: 'waitlisted' },
    ]);
    await reminders.sendDue(now);
    expect(await reminderRows(w)).toHaveLength(0);
    await scope.run(w.tenant.id, (em) =>
      em.nativeUpdate(EventRsvpSchema, { id: rsvpIds[0]! }, { status: 'confirmed', position: null }),
    );
    await reminders.sendDue(new Date(now.getTime() + HOUR));
    expect((await reminderRows(w)).map((row) => row.payload.rsvpId)).toEqual([rsvpIds[0]]);
  });

  it('keeps to the window (24 h exclusive, 48 h inclusive) and skips cancelled events', async () => {
    const w = await world();
    const now = new Date(Date.now() + 3000 * HOUR);
    const at = (hours: number, cancelled = false) =>
      eventWith(w, new Date(now.getTime() + hours * HOUR), [{ member: w.members[0]! }], cancelled);
    const exactly24 = await at(24);
    const justAfter24 = await at(24 + 1 / 3600);
    const exactly48 = await at(48);
    const justAfter48 = await at(48 + 1 / 3600);
    const past = await at(-1);
    const cancelled = await at(30, true);
    await reminders.sendDue(now);
    const reminded = new Set((await reminderRows(w)).map((row) => row.payload.eventId));
    expect({
      exactly24: reminded.has(exactly24.eventId),
      justAfter24: reminded.has(justAfter24.eventId),
      exactly48: reminded.has(exactly48.eventId),
      justAfter48: reminded.has(justAfter48.eventId),
      past: reminded.has(past.eventId),
      cancelled: reminded.has(cancelled.eventId),
    }).toEqual({
      exactly24: false,
      justAfter24: true,
      exactly48: true,
      justAfter48: false,
      past: false,
      cancelled: false,
    });
  });

  it('reminds in every tenant, each in its own scope, leaving the other tenant’s rows alone', async () => {
    const first = await world();
    const second = await world();
    const now = new Date(Date.now() + 4000 * HOUR);
    const inFirst = await eventWith(first, new Date(now.getTime() + 30 * HOUR), [
      { member: first.members[0]! },
    ]);
    // Outside the window: the second tenant's answer must stay unreminded.
    const inSecond = await eventWith(second, new Date(now.getTime() + 60 * HOUR), [
      { member: second.members[0]! },
    ]);
    await reminders.sendDue(now);
    expect((await reminderRows(first)).map((row) => row.payload.eventId)).toEqual([inFirst.eventId]);
    expect(await reminderRows(second)).toHaveLength(0);
    const secondRsvp = await scope.run(second.tenant.id, (em) =>
      em.findOneOrFail(EventRsvpSchema, { id: inSecond.rsvpIds[0]! }),
    );
    expect(secondRsvp.remindedAt ?? null).toBeNull();
    // The first tenant's outbox row belongs to the first tenant.
    const [row] = await reminderRows(first);
    expect(row!.tenantId).toBe(first.tenant.id);
  });
});
